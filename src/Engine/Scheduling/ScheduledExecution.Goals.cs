using System.Runtime.CompilerServices;
using VoxScheduler.Dag;
using VoxScheduler.Execution;
using VoxScheduler.Values;

namespace VoxScheduler.Scheduling;

/// <summary>Work done after the lock is released: workers, persistence, in-flight wake-ups, goals, retries, events.</summary>
internal sealed partial class ScheduledExecution
{
    private void AddGoalLocked(ref PostActions post, int n, NodeState state, object? boxed, TimeSpan duration)
    {
        // Counted before it starts, so the execution cannot end while a goal is still being reported or saved.
        _background++;
        (post.Goals ??= []).Add(new GoalFinish(n, state, boxed, duration));
    }

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

        if (post.Events is { } events && _hub.HasSubscribers)
        {
            var plan = _plan;
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
                var result = await BuildGoalResultAsync(goal, finish).ConfigureAwait(false);
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

    /// <summary>
    /// Constants are never computed, so nothing else stores them; a goal's value must still be in
    /// the store for readers of past executions (Get-VoxResult, the server's history). Storing is
    /// idempotent (content addressing) and, for a value already reported from memory, best effort.
    /// </summary>
    private async ValueTask PersistConstantGoalAsync(DagNode def, object? value)
    {
        if (_store is null) return;
        try
        {
            var data = ValueCodec.Encode(value);
            var metadata = Storage.StorageMetadata.ForResult(def.Id, ValueCodec.Classify(value, Config.StreamingThreshold), data.Length,
                DagBuilder.ConstantOperator, Dag.DagId, ExecutionId, _time.GetUtcNow());
            await _store.StoreAsync(def.Id, data, metadata, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is StorageException or IOException or UnauthorizedAccessException)
        {
            // The goal's value is already known; a store that cannot take it fails the next real write loudly.
        }
    }

    private async ValueTask<GoalResult> BuildGoalResultAsync(int goal, GoalFinish finish)
    {
        var current = _goals[goal];
        var n = finish.Node;
        var def = _plan.Defs[n];
        switch (finish.State)
        {
            case NodeState.Failed:
                return current with { Status = NodeStatus.Failed, Error = ErrorOf(n) };
            case NodeState.Skipped:
                return current with { Status = NodeStatus.Skipped, Error = SkipReasonOf(n) };
        }

        var status = finish.State == NodeState.Cached ? NodeStatus.Cached : NodeStatus.Completed;
        var dagGoal = Dag.Goals[goal];
        try
        {
            object? value;
            var inMemory = true;
            if (finish.BoxedValue is not null) value = Unbox(finish.BoxedValue);
            else if (def.Kind == NodeKind.Constant)
            {
                value = def.Value;
                await PersistConstantGoalAsync(def, value).ConfigureAwait(false);
            }
            else
            {
                inMemory = false;
                value = null;
            }

            if (!inMemory)
            {
                try
                {
                    return await GoalFromStoreAsync(current, dagGoal, def.Id, status, finish.Duration).ConfigureAwait(false);
                }
                catch (Exception e) when (IsRecoverableReadFailure(e))
                {
                    // The stored goal is damaged (and now quarantined): recompute it instead of failing the goal.
                    value = await RecoverAsync(n, _cts.Token).ConfigureAwait(false);
                    status = NodeStatus.Completed;
                }
            }

            var size = ValueCodec.Encode(value).LongLength;
            var type = ValueCodec.Classify(value, Config.StreamingThreshold);
            string? path = null;
            if (dagGoal.Kind == GoalKind.Save)
            {
                path = SaveGoalWriter.ResolveTarget(dagGoal.Path!, _environment);
                await SaveGoalWriter.WriteAsync(path, value, _cts.Token).ConfigureAwait(false);
            }

            return current with
            {
                Status = status, Value = type == DataType.LargeObject ? null : value, DataType = type, Size = size,
                Duration = finish.Duration, Path = path,
            };
        }
        catch (Exception e) when (e is not OperationCanceledException || !_cts.IsCancellationRequested)
        {
            var message = dagGoal.Kind == GoalKind.Save ? $"save '{dagGoal.Name}' failed: {e.Message}" : e.Message;
            return current with { Status = NodeStatus.Failed, Error = message };
        }
    }

    private async ValueTask<GoalResult> GoalFromStoreAsync(GoalResult current, DagGoal dagGoal, NodeId id, NodeStatus status, TimeSpan duration)
    {
        var store = _store ?? throw new VoxScheduler.StorageException("The goal's value is not in memory and there is no store.", id);
        var metadata = await store.GetMetadataAsync(id, _cts.Token).ConfigureAwait(false)
            ?? throw new StoredResultMissingException("The goal's result is missing from the store.", id);
        var large = metadata.DataType == DataType.LargeObject || metadata.Size >= Config.StreamingThreshold;
        if (dagGoal.Kind == GoalKind.Save)
        {
            var path = SaveGoalWriter.ResolveTarget(dagGoal.Path!, _environment);
            if (large)
            {
                await using var stream = await store.OpenReadAsync(id, _cts.Token).ConfigureAwait(false)
                    ?? throw new StoredResultMissingException("The goal's result is missing from the store.", id);
                await SaveGoalWriter.WriteFromStreamAsync(path, stream, metadata.Size, _cts.Token).ConfigureAwait(false);
                return current with { Status = status, DataType = metadata.DataType, Size = metadata.Size, Duration = duration, Path = path };
            }

            var saved = await LoadAsync(store, id).ConfigureAwait(false);
            await SaveGoalWriter.WriteAsync(path, saved, _cts.Token).ConfigureAwait(false);
            return current with { Status = status, Value = saved, DataType = metadata.DataType, Size = metadata.Size, Duration = duration, Path = path };
        }

        var value = large ? null : await LoadAsync(store, id).ConfigureAwait(false);
        return current with { Status = status, Value = value, DataType = metadata.DataType, Size = metadata.Size, Duration = duration };
    }

    private async ValueTask<object?> LoadAsync(Storage.IResultStore store, NodeId id)
    {
        var bytes = await store.RetrieveAsync(id, _cts.Token).ConfigureAwait(false)
            ?? throw new StoredResultMissingException("The goal's result is missing from the store.", id);
        return ValueCodec.Decode(bytes);
    }

    private string ErrorOf(int n)
    {
        lock (_gate) return _errors is not null && _errors.TryGetValue(n, out var m) ? m : "The node failed.";
    }

    private string SkipReasonOf(int n)
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
