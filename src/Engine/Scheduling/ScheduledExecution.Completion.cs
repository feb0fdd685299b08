using System.Diagnostics;
using VoxScheduler.Dag;
using VoxScheduler.Storage;
using VoxScheduler.Values;

namespace VoxScheduler.Scheduling;

/// <summary>
/// Applying outcomes to the plan, under the lock: Kahn counters (a dependent becomes ready
/// when its last argument completes: O(degree) per completion, never a scan), reference counts
/// (a value leaves memory after its last consumer), failure with downstream skipping, retries.
/// </summary>
internal sealed partial class ScheduledExecution
{
    private void ApplyLocked(ref PostActions post, ref WorkItem work, NodeOutcome outcome)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread);
        var plan = _plan;
        var n = work.Node;
        _running--;
        plan.Flags[n] &= ~NodeFlags.Tabled;
        // The output's reservation gives way to the output itself (counted when it becomes live below).
        if (_budget > 0) EndReservationLocked(n, ref work, outcome);
        if (_published is not null && _published.Remove(n, out var published))
        {
            // Published while running untabled: end it as if we had entered it ourselves.
            outcome = outcome with { Owned = published };
        }

        if (outcome.Loaded is { } loaded)
        {
            // Keep a loaded argument for its other consumers rather than reading it again.
            var args = plan.Args[n];
            for (var i = 0; i < loaded.Length; i++)
            {
                var a = args[i];
                var value = loaded[i] is CachedArgument lent ? lent.Boxed : loaded[i];
                if (value is not null && plan.Values[a] is null && plan.Refs[a] > 1)
                {
                    if (_budget > 0 && _caseOf.TryGetValue(n, out var owner)) _caseOf[a] = owner; // read for this case: its memory
                    SetLiveLocked(a, value);
                }

                // The hold the value cache lent with the value (ValueCache.TryGet): the plan holds it now, or no one needs it.
                if (loaded[i] is CachedArgument held) PooledValues.Release(held.Boxed);
            }
        }

        if (_finishing)
        {
            if (outcome.Owned is { } abandoned) post.EndEntry(abandoned, false, null);
            return;
        }

        switch (outcome.Kind)
        {
            case OutcomeKind.Value:
                // Other executions waiting on this node get the value: beyond our count of holders.
                if (outcome.Owned is not null) PooledValues.Share(outcome.Value);
                CompleteLocked(ref post, n, outcome.Value, NodeState.Completed, outcome.Result.Duration, outcome.Result.AllocatedBytes);
                if (outcome.Owned is { } owned) post.EndEntry(owned, true, outcome.Value);
                break;
            case OutcomeKind.Streamed:
                plan.Flags[n] |= NodeFlags.InStore;
                CompleteLocked(ref post, n, null, NodeState.Completed, outcome.Result.Duration, outcome.Result.AllocatedBytes);
                if (outcome.Owned is { } streamed) post.EndEntry(streamed, true, null);
                break;
            case OutcomeKind.Expanded:
                ApplyExpansionLocked(ref post, n, outcome.Expansion!, outcome.Owned);
                break;
            case OutcomeKind.Cancelled:
                plan.State[n] = NodeState.Cancelled;
                _cancelledNodes++;
                if (outcome.Owned is { } cancelled) post.EndEntry(cancelled, false, null);
                break;
            case OutcomeKind.SharedBusy:
                JoinSharedLocked(ref post, n, outcome.Shared!);
                break;
            default:
                if (outcome.Owned is { } failed) post.EndEntry(failed, false, null);
                OnTryFailedLocked(ref post, n, outcome.Error ?? new InvalidOperationException("The node failed."));
                break;
        }

        if (_budget > 0) CaseNodeDoneLocked(n);
        EnsureWorkersLocked(ref post);
    }

    // allocated: bytes the node's computation allocated (the specification's memory_usage_bytes); 0 when served from the store.
    private void CompleteLocked(ref PostActions post, int n, object? boxed, NodeState state, TimeSpan duration, long allocated = 0)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread);
        var plan = _plan;
        plan.State[n] = state;
        _unfinished--;
        if (state == NodeState.Cached) _cached++;
        else _completed++;
        _allocatedBytes += allocated;

        var flags = plan.Flags[n];
        if (boxed is not null) ShareEscapingLocked(n, boxed, flags);
        if (boxed is not null && state == NodeState.Completed && _persister is not null && (flags & NodeFlags.Volatile) == 0)
        {
            // The persister holds a reference until the value is durable: a released value is always in the store.
            plan.Refs[n]++;
            _persisting++;
            post.HasPersist = true;
            post.Persist = new PersistItem(n, plan.Defs[n].Id, Unbox(boxed), plan.Ops[n]?.Name);
        }

        if (boxed is not null)
        {
            if (plan.Refs[n] > 0) SetLiveLocked(n, boxed);
            else KeepLocked(n, boxed);
        }

        foreach (var d in plan.Dependents(n))
        {
            if (plan.State[d] == NodeState.Pending && --plan.Pending[d] == 0)
            {
                plan.State[d] = NodeState.Ready;
                _ready.Push(d);
            }
        }

        ReleaseArgumentsLocked(n);
        if (_cacheBuffer.Count >= 256)
        {
            post.CacheFlush = _cacheBuffer;
            _cacheBuffer = [];
        }

        if (_openEntries is not null && _openEntries.Remove(n, out var open)) post.EndEntry(open, true, boxed);
        if ((flags & NodeFlags.Goal) != 0) AddGoalLocked(ref post, n, state, boxed, duration, allocated);
        if (_hub.HasSubscribers) (post.Events ??= []).Add(new NodeEventData(n, state, duration, null, allocated));
    }

    private void ReleaseArgumentsLocked(int n)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread);
        var plan = _plan;
        foreach (var a in plan.Args[n])
        {
            if (--plan.Refs[a] <= 0) ReleaseValueLocked(a);
        }
    }

    /// <summary>The last consumer is done: the value leaves the plan, for the value cache when there is one.</summary>
    private void ReleaseValueLocked(int a)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread);
        var plan = _plan;
        if (plan.Values[a] is { } value)
        {
            plan.Values[a] = null;
            var size = LiveSize(value);
            _liveBytes -= size;
            if (_budget > 0) CaseValueReleasedLocked(a, size);
            KeepLocked(a, value);
            // Last: the value cache (KeepLocked) shares what it keeps, so only an unshared value goes back to its pool here.
            PooledValues.Release(value);
        }
    }

    /// <summary>
    /// Before a value enters the plan: what goes where the plan does not count its holders is
    /// shared (its pooled memory never returns): a goal's value (goal results, save goals), a
    /// value other executions wait for (in-flight entries), and pooled values inside a sequence
    /// or record (the compound holds them beyond their own nodes).
    /// </summary>
    private void ShareEscapingLocked(int n, object boxed, NodeFlags flags)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread);
        if ((flags & NodeFlags.Goal) != 0 || (_openEntries?.ContainsKey(n) ?? false)) PooledValues.Share(boxed);
        else PooledValues.ShareContents(boxed);
    }

    private void KeepLocked(int n, object boxed)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread);
        // Batched: the cache's lock is taken once per batch, after ours is released.
        if (_cacheCapacity > 0 && _plan.Defs[n].Kind == NodeKind.Operation && (_plan.Flags[n] & NodeFlags.Volatile) == 0)
        {
            // The cache counts itself as a holder (ValueCache.AddRange takes this hold over), so an
            // image it evicts goes back to the pool; taken now, while the plan still holds the value.
            PooledValues.Retain(boxed);
            _cacheBuffer.Add((_plan.Defs[n].Id, boxed));
        }
    }

    /// <summary>An argument lent by the value cache (with a hold of its own, released when the node's outcome is applied).</summary>
    private sealed class CachedArgument(object boxed)
    {
        public object Boxed { get; } = boxed;
    }

    private void OnTryFailedLocked(ref PostActions post, int n, Exception error)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread);
        var plan = _plan;
        var failedTries = plan.Attempts[n] < byte.MaxValue ? ++plan.Attempts[n] : byte.MaxValue;
        var message = error.Message;
        if (Config.ShouldRetry(error, failedTries))
        {
            // Waiting for the timer holds no worker: the node simply is not on the ready stack.
            plan.State[n] = NodeState.Waiting;
            _waitingRetry++;
            (post.Retries ??= []).Add(new RetryRequest(n, Config.RetryPolicy.GetDelay(failedTries), failedTries, message, Final: false));
            return;
        }

        FailLocked(ref post, n, message);
        (post.Retries ??= []).Add(new RetryRequest(n, TimeSpan.Zero, failedTries, message, Final: true));
    }

    /// <summary>Marks a node failed for good and skips everything downstream of it (independent branches go on).</summary>
    private void FailLocked(ref PostActions post, int n, string message)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread);
        var plan = _plan;
        plan.State[n] = NodeState.Failed;
        _unfinished--;
        _failed++;
        (_errors ??= [])[n] = message;
        ReleaseArgumentsLocked(n);
        if ((plan.Flags[n] & NodeFlags.Goal) != 0) AddGoalLocked(ref post, n, NodeState.Failed, null, TimeSpan.Zero);
        if (_hub.HasSubscribers) (post.Events ??= []).Add(new NodeEventData(n, NodeState.Failed, TimeSpan.Zero, message));
        EndOpenEntryLocked(ref post, n);
        SkipDownstreamLocked(ref post, n, n);
    }

    /// <summary>Skips every pending node downstream of <paramref name="start"/>, giving <paramref name="cause"/> (a failed node) as the reason.</summary>
    private void SkipDownstreamLocked(ref PostActions post, int start, int cause)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread);
        var plan = _plan;
        var stack = new Stack<int>();
        stack.Push(start);
        while (stack.TryPop(out var x))
        {
            foreach (var d in plan.Dependents(x))
            {
                if (plan.State[d] != NodeState.Pending) continue;
                plan.State[d] = NodeState.Skipped;
                _unfinished--;
                _skipped++;
                (_skipReason ??= [])[d] = cause;
                ReleaseArgumentsLocked(d);
                if ((plan.Flags[d] & NodeFlags.Goal) != 0) AddGoalLocked(ref post, d, NodeState.Skipped, null, TimeSpan.Zero);
                EndOpenEntryLocked(ref post, d);
                stack.Push(d);
            }
        }
    }

    /// <summary>Enters this execution's running, untabled nodes into the in-flight table (another execution just joined the slot).</summary>
    internal void PublishRunning()
    {
        lock (_gate)
        {
            if (!_started || _finishing) return;
            var plan = _plan;
            for (var i = 0; i < plan.Count; i++)
            {
                if (plan.State[i] != NodeState.Running || (plan.Flags[i] & (NodeFlags.Tabled | NodeFlags.Volatile | NodeFlags.Forward)) != 0) continue;
                if (_slot.InFlight.TryBegin(plan.Defs[i].Id, out _) is { } entry) (_published ??= [])[i] = entry;
            }
        }
    }

    private void EndOpenEntryLocked(ref PostActions post, int n)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread);
        if (_openEntries is not null && _openEntries.Remove(n, out var entry)) post.EndEntry(entry, false, null);
    }

    private void JoinSharedLocked(ref PostActions post, int n, InFlightEntry other)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread);
        var plan = _plan;
        switch (other.Join(this, n, out var value))
        {
            case InFlightJoin.Waiting:
                plan.State[n] = NodeState.Waiting;
                _waitingShared++;
                break;
            case InFlightJoin.Succeeded:
                if (value is null) plan.Flags[n] |= NodeFlags.InStore;
                CompleteLocked(ref post, n, value, NodeState.Cached, TimeSpan.Zero);
                break;
            default:
                // The other execution failed or was cancelled: compute it ourselves.
                plan.State[n] = NodeState.Ready;
                _ready.Push(n);
                break;
        }
    }

    /// <summary>Called by the execution that computed a node this one was waiting for (never under its own lock).</summary>
    internal void OnSharedNodeFinished(int n, bool success, object? value)
    {
        var post = new PostActions();
        bool finish;
        lock (_gate)
        {
            _waitingShared--;
            if (_finishing)
            {
                // Finished while this node waited (cancelled): the last one to stop waiting lets the plan go.
                DropPlanLocked();
                return;
            }

            if (_plan.State[n] != NodeState.Waiting) return;
            if (_cts.IsCancellationRequested)
            {
                finish = TryFinishLocked();
            }
            else
            {
                if (success)
                {
                    if (value is null) _plan.Flags[n] |= NodeFlags.InStore;
                    CompleteLocked(ref post, n, value, NodeState.Cached, TimeSpan.Zero);
                }
                else
                {
                    _plan.State[n] = NodeState.Ready;
                    _ready.Push(n);
                }

                EnsureWorkersLocked(ref post);
                finish = TryFinishLocked();
            }
        }

        RunPostSync(ref post);
        if (finish) _ = FinalizeAsync();
    }

    private void OnRetryTimer(int n, ITimer? timer)
    {
        var post = new PostActions();
        bool finish;
        lock (_gate)
        {
            // A finished execution no longer counts its retry waits (its finish set them to 0).
            if (_finishing) return;
            if (timer is not null) _retryTimers?.Remove(timer);
            _waitingRetry--;
            if (_plan.State[n] != NodeState.Waiting) return;
            if (!_cts.IsCancellationRequested)
            {
                _plan.State[n] = NodeState.Ready;
                _ready.Push(n);
                EnsureWorkersLocked(ref post);
            }

            finish = TryFinishLocked();
        }

        timer?.Dispose();
        RunPostSync(ref post);
        if (finish) _ = FinalizeAsync();
    }

    /// <summary>The persister made a batch durable: drop its references.</summary>
    private void ReleasePersisted(int[] nodes, int count)
    {
        var post = new PostActions();
        lock (_gate)
        {
            var plan = _plan;
            for (var i = 0; i < count; i++)
            {
                var n = nodes[i];
                _persisting--;
                if (--plan.Refs[n] <= 0) ReleaseValueLocked(n);
            }

            // Values left memory: new work held back by the memory budget may fit now.
            if (_held.Count > 0) EnsureWorkersLocked(ref post);
        }

        RunPostSync(ref post);
    }

    private void OnPersistError(PersistItem item, Exception error)
    {
        var message = $"Storing the result of node {item.Id} failed: {error.Message}";
        lock (_gate) _fatalError ??= message;
        _ = RecordHistoryAsync(item.Id, item.Operator, 0, "StoreFailed", message);
    }

    private async Task RecordHistoryAsync(NodeId id, string? op, int attempt, string status, string error)
    {
        if (_store is null) return;
        try
        {
            await _store.RecordNodeHistoryAsync(new NodeHistoryEntry(ExecutionId, id, op, attempt, status, error, _time.GetUtcNow()), CancellationToken.None)
                .ConfigureAwait(false);
        }
        catch (Exception)
        {
            // History is best effort; the node's own outcome is already decided.
        }
    }

    private void AddGoalLocked(ref PostActions post, int n, NodeState state, object? boxed, TimeSpan duration, long allocated = 0)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread);
        // Counted before it starts, so the execution cannot end while a goal is still being reported or saved.
        _background++;
        PooledValues.Share(boxed);
        (post.Goals ??= []).Add(new GoalFinish(n, state, boxed, duration, allocated));
    }
}
