using VoxScheduler.Cluster.Grains;
using VoxScheduler.Dag;
using VoxScheduler.Execution;
using VoxScheduler.Scheduling;
using VoxScheduler.Values;

namespace VoxScheduler.Cluster.Client;

/// <summary>A handle on an execution running on a cluster: its id, progress, cancellation and the wait for its end.</summary>
public sealed class ClusterExecution
{
    private readonly IExecutionGrain _grain;

    internal ClusterExecution(IExecutionGrain grain, ExecutionSnapshot started)
    {
        _grain = grain;
        ExecutionId = started.ExecutionId;
        DagId = started.DagId;
        Coordinator = started.Coordinator ?? string.Empty;
    }

    /// <summary>The execution's id (as in the store's execution history).</summary>
    public string ExecutionId { get; }

    public string DagId { get; }

    /// <summary>The silo whose scheduler coordinates it.</summary>
    public string Coordinator { get; }

    /// <summary>The progress now.</summary>
    /// <exception cref="SchedulingException">The coordinating silo was lost (submit again: finished results are served from the store).</exception>
    public async Task<ExecutionProgress> GetProgressAsync(CancellationToken cancellationToken = default) =>
        ToProgress(Check(await _grain.GetAsync().WaitAsync(cancellationToken).ConfigureAwait(false)));

    /// <summary>Asks the coordinator to cancel the execution (nodes running on workers see their token cancelled).</summary>
    public Task CancelAsync(CancellationToken cancellationToken = default) => _grain.CancelAsync().WaitAsync(cancellationToken);

    /// <summary>Waits for the end; <paramref name="cancellationToken"/> stops waiting, not the execution.</summary>
    /// <exception cref="SchedulingException">The coordinating silo was lost (submit again: finished results are served from the store).</exception>
    public async Task<ClusterExecutionResult> WaitAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var snapshot = Check(await _grain.WaitAsync(TimeSpan.FromMinutes(1), cancellationToken).ConfigureAwait(false));
            if (snapshot.Goals is null) continue;
            var goals = snapshot.Goals.Select(g => new ClusterGoalResult(g.Name, (GoalKind)g.Kind, NodeId.Parse(g.NodeId), (NodeStatus)g.Status, g.Error, g.Size,
                (DataType)g.DataType, TimeSpan.FromTicks(g.DurationTicks))
            {
                HasValue = g.Value is not null, Value = g.Value is null ? null : ValueCodec.Decode(g.Value),
            }).ToList();
            return new ClusterExecutionResult(snapshot.ExecutionId, (ExecutionStatus)snapshot.Status, ToProgress(snapshot), goals, snapshot.Error);
        }
    }

    /// <summary>What happened after the cursors (a bounded batch), waiting up to <paramref name="maxWait"/> for news.</summary>
    /// <exception cref="SchedulingException">The coordinating silo was lost.</exception>
    internal async Task<ExecutionUpdate> PollAsync(long nodeCursor, int goalCursor, bool nodeEvents, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        var update = await _grain.PollAsync(nodeCursor, goalCursor, nodeEvents, maxWait, cancellationToken).WaitAsync(cancellationToken).ConfigureAwait(false);
        Check(update.Snapshot);
        return update;
    }

    /// <summary>One byte per DAG node (0 unknown, else NodeStatus + 1), or null when the coordinator no longer knows the execution.</summary>
    internal Task<byte[]?> GetNodeStatusesAsync(CancellationToken cancellationToken) => _grain.GetNodeStatusesAsync().WaitAsync(cancellationToken);

    private ExecutionSnapshot Check(ExecutionSnapshot snapshot)
    {
        if (snapshot.ExecutionId.Length == 0 || (ExecutionId.Length > 0 && snapshot.ExecutionId != ExecutionId))
        {
            throw new SchedulingException($"The silo coordinating execution {ExecutionId} ({Coordinator}) was lost; submit it again to resume: finished results are in the store.");
        }

        return snapshot;
    }

    internal static ExecutionProgress ToProgress(ExecutionSnapshot s) => new()
    {
        ExecutionId = s.ExecutionId, DagId = s.DagId, Status = (ExecutionStatus)s.Status, TotalNodes = s.Total, PendingNodes = s.Pending,
        ReadyNodes = s.Ready, RunningNodes = s.Running, CompletedNodes = s.Completed, ComputedNodes = Math.Max(0, s.Completed - s.Cached), CachedNodes = s.Cached, FailedNodes = s.Failed,
        SkippedNodes = s.Skipped, ProgressPercentage = s.Percent, NodesPerSecond = s.NodesPerSecond, Elapsed = TimeSpan.FromTicks(s.ElapsedTicks),
    };
}
