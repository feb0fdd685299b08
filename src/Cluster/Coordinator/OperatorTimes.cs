using System.Collections.Concurrent;

namespace VoxScheduler.Cluster.Coordinator;

/// <summary>
/// How long each operator's nodes take on a worker (a moving mean of the durations the workers
/// report), so a call carries about <see cref="TargetBatch"/> of work: trivial nodes fill a batch,
/// while 10 ms nodes go one per call (several only from a queue deep enough for every slot:
/// <see cref="RemoteNodeRunner.DeepBatch"/>). A batch runs its nodes one after another in one slot, and
/// its results come back together at its end, so batching long nodes only holds back their
/// dependents while other slots idle (10 ms nodes ran at about 40 % of the slots' rate that way).
/// An operator not seen yet counts as a whole batch: its first node goes alone and reports.
/// </summary>
internal sealed class OperatorTimes
{
    /// <summary>The work one call should carry: well above the cost of a call, well below a node that is worth a slot of its own.</summary>
    public static readonly long TargetBatch = TimeSpan.FromMilliseconds(2).Ticks;

    /// <summary>Most operators remembered (the names come from the DAGs submitted; past this, new ones count as unknown).</summary>
    public const int MaxOperators = 4096;

    private readonly ConcurrentDictionary<string, long> _mean = new(StringComparer.Ordinal);

    /// <summary>Operators with a known time.</summary>
    public int Count => _mean.Count;

    /// <summary>Adds a node's duration to its operator's mean (weight 1/8: a change of behaviour shows within a few calls).</summary>
    public void Record(string @operator, long ticks)
    {
        ticks = Math.Max(0, ticks);
        if (_mean.TryGetValue(@operator, out var mean))
        {
            _mean[@operator] = mean + (ticks - mean) / 8;
        }
        else if (_mean.Count < MaxOperators)
        {
            _mean.TryAdd(@operator, ticks);
        }
    }

    /// <summary>True once a node of <paramref name="operator"/> has reported its duration.</summary>
    public bool Knows(string @operator) => _mean.ContainsKey(@operator);

    /// <summary>The expected duration of a node of <paramref name="operator"/>; <see cref="TargetBatch"/> when not known.</summary>
    public long Estimate(string @operator) => _mean.TryGetValue(@operator, out var mean) ? mean : TargetBatch;
}
