using System.Collections.Concurrent;

namespace VoxScheduler.Tests.Infrastructure;

/// <summary>
/// Counts of inflicted faults (kills survived, corruptions detected, fuzz cases, contending
/// processes). The soak runner sets <c>VOX_RELIABILITY_COUNTS</c> to a file; every count is
/// appended there as <c>name value</c> lines so it can total them across test runs.
/// </summary>
internal static class ReliabilityCounters
{
    private static readonly ConcurrentDictionary<string, long> Totals = new(StringComparer.Ordinal);
    private static readonly object FileLock = new();

    /// <summary>The scale factor for case counts: 1 in the normal run, raised by the soak runner (<c>VOX_RELIABILITY_SCALE</c>).</summary>
    public static int Scale { get; } = int.TryParse(Environment.GetEnvironmentVariable("VOX_RELIABILITY_SCALE"), out var s) && s > 0 ? Math.Min(s, 10_000) : 1;

    /// <summary>Adds to a named count.</summary>
    public static void Add(string name, long value)
    {
        Totals.AddOrUpdate(name, value, (_, old) => old + value);
        var file = Environment.GetEnvironmentVariable("VOX_RELIABILITY_COUNTS");
        if (string.IsNullOrEmpty(file)) return;
        lock (FileLock)
        {
            File.AppendAllText(file, $"{name} {value}{Environment.NewLine}");
        }
    }

    /// <summary>The total of a count in this test process.</summary>
    public static long Get(string name) => Totals.TryGetValue(name, out var v) ? v : 0;
}
