using System.Diagnostics;
using VoxScheduler.Operations;

namespace VoxScheduler.Bench;

/// <summary>The benchmark's trivial operation: 64-bit wrapping add of the node's constant (attribute c) and its inputs.</summary>
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
        if (_spinTicks > 0)
        {
            var until = Stopwatch.GetTimestamp() + _spinTicks;
            while (Stopwatch.GetTimestamp() < until) { }
        }

        var sum = context.Attributes is { } a && a.TryGetValue("c", out var c) ? (ulong)c! : 0UL;
        var args = context.Arguments;
        for (var i = 0; i < args.Length; i++) sum = unchecked(sum + (ulong)args[i]!);
        return new(OperationResult.FromValue(sum));
    }
}
