using System.Diagnostics;
using System.Runtime.CompilerServices;
using VoxScheduler.Dag;
using VoxScheduler.Execution;
using VoxScheduler.Values;

namespace VoxScheduler.Scheduling;

/// <summary>
/// Post actions: the work a locked state change decided, done after the lock is released (new
/// workers, persistence, in-flight wake-ups, cache, retries, events, goal reports), and the
/// locked reads of a node's error and skip reason that goal reports use.
/// </summary>
internal sealed partial class ScheduledExecution
{
    /// <summary>Runs post actions; completes synchronously unless the persister's queue is full.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ValueTask RunPostAsync(PostActions post)
    {
        if (post.HasPersist && !_persister!.TryEnqueue(post.Persist))
        {
            return EnqueueThenRunAsync(post);
        }

        RunPostRest(ref post);
        return ValueTask.CompletedTask;
    }

    private async ValueTask EnqueueThenRunAsync(PostActions post)
    {
        // Back-pressure: the store is slower than the workers; this worker waits for queue space (not for durability).
        await _persister!.EnqueueAsync(post.Persist).ConfigureAwait(false);
        RunPostRest(ref post);
    }

    /// <summary>For callers that are not workers (timers, other executions): never blocks on the persister.</summary>
    private void RunPostSync(ref PostActions post)
    {
        if (post.HasPersist && !_persister!.TryEnqueue(post.Persist))
        {
            var item = post.Persist;
            _ = _persister.EnqueueAsync(item).AsTask();
        }

        RunPostRest(ref post);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RunPostRest(ref PostActions post)
    {
        if (post.EndEntries is { } ends)
        {
            foreach (var (entry, success, value) in ends) entry.End(success, value);
        }

        for (var i = 0; i < post.NewWorkers; i++) _pool.Request(this);
        if (post.CacheFlush is { } kept) _slot.Cache.AddRange(kept, _cacheCapacity);
        if (post.Retries is { } retries)
        {
            foreach (var r in retries) OnRetryDecided(r);
        }

        if (post.Events is { } events && _hub.HasSubscribers && _plan is { } plan)
        {
            foreach (var e in events)
            {
                _hub.PublishDroppable(new ExecutionEvent
                {
                    Kind = ExecutionEventKind.NodeFinished,
                    ExecutionId = ExecutionId,
                    NodeId = plan.Defs[e.Node].Id,
                    Operator = plan.Defs[e.Node].Operator,
                    NodeStatus = ToPublic(e.State),
                    Error = e.Error,
                    Duration = e.Duration,
                    AllocatedBytes = e.AllocatedBytes,
                    At = _time.GetUtcNow(),
                });
            }
        }

        // Goals last: finishing the last goal may end the execution inline, and nothing may be published after its end.
        if (post.Goals is { } goals)
        {
            foreach (var g in goals) _ = FinishGoalAsync(g);
        }
    }

    private void OnRetryDecided(RetryRequest r)
    {
        var plan = _plan;
        if (plan is null) return; // decided by a late node of an execution that has finished and let its plan go
        var def = plan.Defs[r.Node];
        _ = RecordHistoryAsync(def.Id, def.Operator, r.FailedTries, r.Final ? "Failed" : "Retrying", r.Error);
        if (r.Final) return;
        // Armed only after it is registered, so the callback always finds (and removes) it.
        var box = new StrongBox<ITimer?>();
        var timer = _time.CreateTimer(static s =>
        {
            var (execution, node, box) = ((ScheduledExecution, int, StrongBox<ITimer?>))s!;
            execution.OnRetryTimer(node, box.Value);
        }, (this, r.Node, box), Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        box.Value = timer;
        lock (_gate)
        {
            if (_finishing)
            {
                timer.Dispose();
                return;
            }

            (_retryTimers ??= []).Add(timer);
        }

        timer.Change(r.Delay, Timeout.InfiniteTimeSpan);
        // Published once the timer is armed, so a subscriber driving a fake clock can advance it right away.
        if (_hub.HasSubscribers)
        {
            _hub.PublishDroppable(new ExecutionEvent
            {
                Kind = ExecutionEventKind.NodeRetrying, ExecutionId = ExecutionId, NodeId = def.Id, Operator = def.Operator,
                NodeStatus = NodeStatus.Pending, Error = r.Error, Attempt = r.FailedTries, At = _time.GetUtcNow(),
            });
        }
    }

    private async Task FinishGoalAsync(GoalFinish finish)
    {
        try
        {
            foreach (var goal in _goals.GoalsOf(finish.Node))
            {
                var result = await _goalReporter.BuildAsync(goal, finish).ConfigureAwait(false);
                _goals.Set(goal, result);
                _hub.PublishGoal(new ExecutionEvent
                {
                    Kind = ExecutionEventKind.GoalFinished,
                    ExecutionId = ExecutionId,
                    NodeId = result.NodeId,
                    Operator = _plan.Defs[finish.Node].Operator,
                    NodeStatus = result.Status,
                    Error = result.Error,
                    Duration = result.Duration,
                    Goal = result,
                    At = _time.GetUtcNow(),
                });
            }
        }
        finally
        {
            bool end;
            lock (_gate)
            {
                _background--;
                end = TryFinishLocked();
            }

            if (end) _ = FinalizeAsync();
        }
    }

    internal string ErrorOf(int n)
    {
        lock (_gate) return _errors is not null && _errors.TryGetValue(n, out var m) ? m : "The node failed.";
    }

    internal string SkipReasonOf(int n)
    {
        lock (_gate)
        {
            if (_skipReason is null || !_skipReason.TryGetValue(n, out var failed)) return "Skipped: a dependency failed.";
            var def = _plan.Defs[failed];
            var error = _errors is not null && _errors.TryGetValue(failed, out var m) ? m : "failed";
            var who = failed < Dag.Nodes.Count ? DagValidator.Describe(Dag, failed) : $"{def.Operator} ({def.Id.ToShortString()})";
            return $"Skipped because node {who} failed: {error}";
        }
    }

    internal static NodeStatus ToPublic(NodeState state) => state switch
    {
        NodeState.Pending or NodeState.NotNeeded => NodeStatus.Pending,
        NodeState.Ready => NodeStatus.Ready,
        NodeState.Running or NodeState.Waiting => NodeStatus.Running,
        NodeState.Completed => NodeStatus.Completed,
        NodeState.Cached => NodeStatus.Cached,
        NodeState.Failed => NodeStatus.Failed,
        NodeState.Skipped => NodeStatus.Skipped,
        _ => NodeStatus.Cancelled,
    };
}
