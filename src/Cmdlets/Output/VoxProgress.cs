using VoxScheduler.Scheduling;

namespace VoxScheduler.Cmdlets.Output;

/// <summary>A progress snapshot of one execution.</summary>
public sealed class VoxProgress
{
    internal VoxProgress(ExecutionProgress progress, string? name)
    {
        ExecutionId = progress.ExecutionId;
        Name = name;
        DagId = progress.DagId;
        Status = progress.Status;
        TotalNodes = progress.TotalNodes;
        PendingNodes = progress.PendingNodes;
        ReadyNodes = progress.ReadyNodes;
        RunningNodes = progress.RunningNodes;
        CompletedNodes = progress.CompletedNodes;
        ComputedNodes = progress.ComputedNodes;
        CachedNodes = progress.CachedNodes;
        AllocatedBytes = progress.AllocatedBytes;
        FailedNodes = progress.FailedNodes;
        SkippedNodes = progress.SkippedNodes;
        // Nodes actually done over total: a cancelled, failed or interrupted execution is not 100%.
        Percent = progress.Status == ExecutionStatus.Completed ? 100
            : progress.TotalNodes <= 0 ? 0
            : Math.Min(100, 100.0 * progress.CompletedNodes / progress.TotalNodes);
        NodesPerSecond = progress.NodesPerSecond;
        Elapsed = progress.Elapsed;
        EstimatedRemaining = progress.EstimatedRemaining;
        EstimatedCompletion = progress.EstimatedCompletion;
        LiveBytes = progress.LiveBytes;
        PeakLiveBytes = progress.PeakLiveBytes;
        MemoryBudget = progress.MemoryBudget;
    }

    public string ExecutionId { get; }

    public string? Name { get; }

    public string DagId { get; }

    public ExecutionStatus Status { get; }

    public int TotalNodes { get; }

    public int PendingNodes { get; }

    public int ReadyNodes { get; }

    public int RunningNodes { get; }

    /// <summary>Nodes done: computed in the execution or served from the store.</summary>
    public int CompletedNodes { get; }

    /// <summary>Of the completed nodes, those computed in the execution.</summary>
    public int ComputedNodes { get; }

    /// <summary>Of the completed nodes, those served from the store without being computed.</summary>
    public int CachedNodes { get; }

    /// <summary>Bytes allocated by the computed nodes (the sum of their memory_usage_bytes).</summary>
    public long AllocatedBytes { get; }

    public int FailedNodes { get; }

    public int SkippedNodes { get; }

    /// <summary>Nodes done (computed or cached) over total, 0–100.</summary>
    public double Percent { get; }

    public double NodesPerSecond { get; }

    public TimeSpan Elapsed { get; }

    public TimeSpan? EstimatedRemaining { get; }

    public DateTimeOffset? EstimatedCompletion { get; }

    /// <summary>Bytes of live values: results in memory for consumers that have not run yet.</summary>
    public long LiveBytes { get; }

    /// <summary>The most <see cref="LiveBytes"/> has been so far.</summary>
    public long PeakLiveBytes { get; }

    /// <summary>The execution's memory budget for live values (Submit-VoxDag -MemoryBudget; 0: none).</summary>
    public long MemoryBudget { get; }

    /// <summary>True once the execution has ended.</summary>
    public bool IsFinished => Status.IsTerminal();
}
