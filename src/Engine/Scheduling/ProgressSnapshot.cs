namespace VoxScheduler.Scheduling;

/// <summary>Turns counters copied under an execution's lock into the public progress snapshot (percent, rate, ETA).</summary>
internal static class ProgressSnapshot
{
    /// <param name="executionId">The execution.</param>
    /// <param name="dagId">Its DAG.</param>
    /// <param name="status">Its status when the counters were copied.</param>
    /// <param name="counts">The counters.</param>
    /// <param name="elapsed">Time since it started, or its whole duration once it ended.</param>
    /// <param name="now">The clock's current time.</param>
    public static ExecutionProgress Build(string executionId, string dagId, ExecutionStatus status, ExecutionCounts counts, TimeSpan elapsed,
        DateTimeOffset now)
    {
        var finished = counts.Completed + counts.Cached + counts.Failed + counts.Skipped + counts.Cancelled;
        var ended = status.IsTerminal();
        var rate = elapsed.TotalSeconds > 0 ? (counts.Completed + counts.Failed + counts.Skipped) / elapsed.TotalSeconds : 0;
        var remaining = counts.Total - finished;
        TimeSpan? eta = ended ? TimeSpan.Zero : rate > 0 ? TimeSpan.FromSeconds(Math.Min(remaining / rate, TimeSpan.MaxValue.TotalSeconds / 2)) : null;
        return new ExecutionProgress
        {
            ExecutionId = executionId,
            DagId = dagId,
            Status = status,
            TotalNodes = counts.Total,
            PendingNodes = Math.Max(0, counts.Total - finished - counts.Ready - counts.Running),
            ReadyNodes = counts.Ready,
            RunningNodes = counts.Running,
            CompletedNodes = counts.Completed + counts.Cached,
            ComputedNodes = counts.Completed,
            CachedNodes = counts.Cached,
            AllocatedBytes = counts.AllocatedBytes,
            FailedNodes = counts.Failed,
            SkippedNodes = counts.Skipped,
            ProgressPercentage = ended ? 100 : counts.Total == 0 ? 0 : Math.Min(100, 100.0 * finished / counts.Total),
            NodesPerSecond = rate,
            Elapsed = elapsed,
            EstimatedRemaining = eta,
            EstimatedCompletion = eta is { } e ? now + e : null,
        };
    }
}
