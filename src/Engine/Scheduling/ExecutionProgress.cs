namespace VoxScheduler.Scheduling;

/// <summary>A snapshot of an execution's progress (the specification's ExecutionProgress, extended).</summary>
public sealed record ExecutionProgress
{
    public required string ExecutionId { get; init; }

    public required string DagId { get; init; }

    public ExecutionStatus Status { get; init; }

    /// <summary>Nodes in the plan (reachable from the goals), including expanded ones so far.</summary>
    public int TotalNodes { get; init; }

    public int PendingNodes { get; init; }

    public int ReadyNodes { get; init; }

    public int RunningNodes { get; init; }

    /// <summary>
    /// Nodes done, computed or served from the store (the specification's completed_nodes):
    /// a run served entirely from the store completes all its nodes.
    /// </summary>
    public int CompletedNodes { get; init; }

    /// <summary>Of <see cref="CompletedNodes"/>, those computed in this execution.</summary>
    public int ComputedNodes { get; init; }

    /// <summary>Of <see cref="CompletedNodes"/>, those served from the store (or shared with another execution) without being computed.</summary>
    public int CachedNodes { get; init; }

    /// <summary>Bytes allocated by the computations of <see cref="ComputedNodes"/> so far (the sum of their memory_usage_bytes).</summary>
    public long AllocatedBytes { get; init; }

    public int FailedNodes { get; init; }

    public int SkippedNodes { get; init; }

    /// <summary>Nodes finished (completed, cached, failed, skipped) over total, 0–100; exactly 100 once the execution has ended.</summary>
    public double ProgressPercentage { get; init; }

    /// <summary>Nodes finished per second since the start.</summary>
    public double NodesPerSecond { get; init; }

    public TimeSpan Elapsed { get; init; }

    /// <summary>Estimated time left, when it can be estimated.</summary>
    public TimeSpan? EstimatedRemaining { get; init; }

    /// <summary>Estimated completion time (the specification's estimated_completion).</summary>
    public DateTimeOffset? EstimatedCompletion { get; init; }

    /// <summary>Bytes of live values: results held in memory for consumers that have not run yet (with a memory budget, also the outputs of running nodes, reserved when they start).</summary>
    public long LiveBytes { get; init; }

    /// <summary>The most <see cref="LiveBytes"/> has been during the execution so far.</summary>
    public long PeakLiveBytes { get; init; }

    /// <summary>The execution's memory budget for live values (<see cref="ExecutionConfig.MemoryBudget"/>; 0: none).</summary>
    public long MemoryBudget { get; init; }
}
