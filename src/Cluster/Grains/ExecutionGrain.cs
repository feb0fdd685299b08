using Orleans.Concurrency;
using Orleans.Placement;
using VoxScheduler.Cluster.Coordinator;
using VoxScheduler.Scheduling;

namespace VoxScheduler.Cluster.Grains;

/// <summary>
/// A submitted execution, run by the coordinator of the silo this grain lives on (the silo of the
/// gateway the client called: the scheduler runs inside a silo). Reentrant: progress and cancel
/// calls are answered while a wait is pending. Kept active while the execution runs.
/// </summary>
[Reentrant]
[PreferLocalPlacement]
internal sealed class ExecutionGrain(ClusterCoordinator coordinator) : Grain, IExecutionGrain
{
    /// <summary>Largest goal value a snapshot carries (byte form); larger ones are read from the store.</summary>
    public const int MaxInlineGoal = 64 * 1024;

    /// <summary>Most bytes of goal values one snapshot carries.</summary>
    public const int MaxInlineGoals = 4 * 1024 * 1024;

    /// <summary>Longest a poll waits for news before it answers with the progress alone.</summary>
    public static readonly TimeSpan MaxPollWait = TimeSpan.FromSeconds(5);

    private IExecution? _execution;
    private ExecutionEventLog? _events;
    private string? _rejected;

    public async Task<ExecutionSnapshot> StartAsync(ExecutionRequest request)
    {
        if (_execution is not null || _rejected is not null) return Snapshot(goals: false);
        try
        {
            _execution = await coordinator.SubmitAsync(request, CancellationToken.None);
            _events = new ExecutionEventLog(_execution);
        }
        catch (DynamicSchedulerException e)
        {
            _rejected = e is ValidationException v ? string.Join(Environment.NewLine, v.Problems.Select(p => p.Message)) : e.Message;
            return Snapshot(goals: false);
        }

        // Stay active (and so reachable by its key) while the execution runs.
        DelayDeactivation(TimeSpan.FromDays(7));
        _ = _execution.Completion.ContinueWith(_ => DelayDeactivation(TimeSpan.FromMinutes(30)), TaskScheduler.Current);
        return Snapshot(goals: false);
    }

    public Task<ExecutionSnapshot> GetAsync() => Task.FromResult(Snapshot(goals: _execution?.Completion.IsCompleted == true));

    public Task CancelAsync()
    {
        _execution?.Cancel();
        return Task.CompletedTask;
    }

    public async Task<ExecutionSnapshot> WaitAsync(TimeSpan maxWait, CancellationToken cancellationToken)
    {
        if (_execution is { } execution && !execution.Completion.IsCompleted)
        {
            try
            {
                await execution.Completion.WaitAsync(maxWait, cancellationToken);
            }
            catch (TimeoutException)
            {
                // Not finished yet: the caller asks again.
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The caller stopped waiting; the execution goes on.
            }
        }

        return Snapshot(goals: _execution?.Completion.IsCompleted == true);
    }

    public async Task<ExecutionUpdate> PollAsync(long nodeCursor, int goalCursor, bool nodeEvents, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        if (_events is not { } events) return new ExecutionUpdate { Snapshot = Snapshot(goals: false) };
        var wait = maxWait < TimeSpan.Zero ? TimeSpan.Zero : maxWait > MaxPollWait ? MaxPollWait : maxWait;
        try
        {
            await events.WaitAsync(nodeCursor, goalCursor, nodeEvents, wait, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The caller stopped waiting: it gets what there is.
        }

        var update = new ExecutionUpdate();
        events.Read(nodeCursor, goalCursor, nodeEvents, update);
        // The final goals once every goal event is here and handed out: the client then has each goal's own event first.
        update.Snapshot = Snapshot(goals: events.Ended && !update.More);
        return update;
    }

    public Task<byte[]?> GetNodeStatusesAsync()
    {
        if (_execution is null) return Task.FromResult<byte[]?>(null);
        var statuses = _execution.GetNodeStatuses();
        var bytes = new byte[statuses.Count];
        for (var i = 0; i < bytes.Length; i++) bytes[i] = statuses[i] is { } status ? (byte)((int)status + 1) : (byte)0;
        return Task.FromResult<byte[]?>(bytes);
    }

    /// <summary>A small goal value in its byte form (a volatile goal is in no store, so this is the only way to its value).</summary>
    private static byte[]? Inline(GoalResult goal, ref int budget)
    {
        if (!goal.Succeeded || goal.Size > MaxInlineGoal || goal.Size > budget) return null;
        var bytes = Values.ValueCodec.Encode(goal.Value);
        if (bytes.Length > MaxInlineGoal || bytes.Length > budget) return null;
        budget -= bytes.Length;
        return bytes;
    }

    private ExecutionSnapshot Snapshot(bool goals)
    {
        if (_execution is null)
        {
            return new ExecutionSnapshot
            {
                ExecutionId = string.Empty, Status = (int)ExecutionStatus.Failed, Error = _rejected ?? "The execution was not started.",
                Rejected = _rejected is not null, Coordinator = coordinator.Silo,
            };
        }

        var p = _execution.GetProgress();
        var snapshot = new ExecutionSnapshot
        {
            ExecutionId = p.ExecutionId, DagId = p.DagId, Status = (int)p.Status, Total = p.TotalNodes, Pending = p.PendingNodes,
            Ready = p.ReadyNodes, Running = p.RunningNodes, Completed = p.CompletedNodes, Cached = p.CachedNodes, Failed = p.FailedNodes,
            Skipped = p.SkippedNodes, Percent = p.ProgressPercentage, NodesPerSecond = p.NodesPerSecond, ElapsedTicks = p.Elapsed.Ticks,
            Coordinator = coordinator.Silo,
        };
        if (!goals) return snapshot;
        coordinator.HandedOver(p.ExecutionId);
        var results = _execution.GetGoalResults();
        var budget = MaxInlineGoals;
        snapshot.Goals = [.. results.Select(g =>
        {
            var goal = ExecutionEventLog.Describe(g);
            goal.Value = Inline(g, ref budget);
            return goal;
        })];
        snapshot.Error = results.FirstOrDefault(g => g.Error is not null)?.Error;
        return snapshot;
    }
}
