namespace VoxScheduler.Scheduling;

/// <summary>
/// Work decided under the execution's lock but done after releasing it: starting workers,
/// handing values to the persister, waking executions waiting on a shared node, finishing
/// goals, arming retry timers, publishing events. Keeps the locked sections O(degree).
/// </summary>
internal struct PostActions
{
    public int NewWorkers;

    public bool HasPersist;

    public PersistItem Persist;

    public List<(InFlightEntry Entry, bool Success, object? Value)>? EndEntries;

    public List<GoalFinish>? Goals;

    public List<RetryRequest>? Retries;

    public List<NodeEventData>? Events;

    public List<(Dag.NodeId Id, object Boxed)>? CacheFlush;

    public void EndEntry(InFlightEntry entry, bool success, object? value)
    {
        // Waiters in other executions get the value: its pooled memory must never return under them.
        Values.PooledValues.Share(value);
        (EndEntries ??= []).Add((entry, success, value));
    }
}

/// <summary>A goal node reached a final state; its goals are reported in the background.</summary>
internal readonly record struct GoalFinish(int Node, NodeState State, object? BoxedValue, TimeSpan Duration, long AllocatedBytes = 0);

/// <summary>A failed try: retried after <see cref="Delay"/>, or (<see cref="Final"/>) the last one. Both go to the history.</summary>
internal readonly record struct RetryRequest(int Node, TimeSpan Delay, int FailedTries, string Error, bool Final);

/// <summary>A node finished (for subscribers).</summary>
internal readonly record struct NodeEventData(int Node, NodeState State, TimeSpan Duration, string? Error, long AllocatedBytes = 0);
