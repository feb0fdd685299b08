using System.Diagnostics;
using VoxScheduler.Operations;

namespace VoxScheduler.Bench;

/// <summary>
/// The benchmark's trivial operation: 64-bit wrapping add of the node's constant (attribute c) and
/// its inputs; with the attribute <c>sleep_ms</c> it first waits that long (the cluster mode's
/// 10 ms nodes: the graph and its graph_sha256 are unchanged), through <see cref="PreciseDelay"/>.
/// </summary>
internal sealed class BenchAddOperation : Operation
{
    public const string OperatorName = "bench.add";

    private readonly long _spinTicks;

    public BenchAddOperation(int spinMicroseconds)
        : base(OperatorName, 0, -1, 1, Purity.Pure, "c + sum(inputs) mod 2^64")
    {
        _spinTicks = spinMicroseconds * Stopwatch.Frequency / 1_000_000;
    }

    public override ValueTask<OperationResult> ExecuteAsync(OperationContext context)
    {
        if (context.Attributes is { } attributes && attributes.TryGetValue(SleepAttribute, out var sleep) && Convert.ToDouble(sleep, System.Globalization.CultureInfo.InvariantCulture) > 0)
        {
            return SleepThenAddAsync(context, TimeSpan.FromMilliseconds(Convert.ToDouble(sleep, System.Globalization.CultureInfo.InvariantCulture)));
        }

        if (_spinTicks > 0)
        {
            var until = Stopwatch.GetTimestamp() + _spinTicks;
            while (Stopwatch.GetTimestamp() < until) { }
        }

        return new(OperationResult.FromValue(Add(context)));
    }

    /// <summary>The attribute that makes a node wait (milliseconds) before adding.</summary>
    public const string SleepAttribute = "sleep_ms";

    private static async ValueTask<OperationResult> SleepThenAddAsync(OperationContext context, TimeSpan sleep)
    {
        await PreciseDelay.WaitAsync(sleep, context.CancellationToken).ConfigureAwait(false);
        return OperationResult.FromValue(Add(context));
    }

    private static ulong Add(OperationContext context)
    {
        // A constant read back from a DAG's JSON form (a cluster submission) may come as another integer type.
        var sum = context.Attributes is { } a && a.TryGetValue("c", out var c) ? c is ulong u ? u : Convert.ToUInt64(c, System.Globalization.CultureInfo.InvariantCulture) : 0UL;
        var args = context.Arguments;
        for (var i = 0; i < args.Length; i++) sum = unchecked(sum + (ulong)args[i]!);
        return sum;
    }
}
