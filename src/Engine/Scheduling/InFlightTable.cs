using System.Collections.Concurrent;
using VoxScheduler.Dag;

namespace VoxScheduler.Scheduling;

/// <summary>
/// Nodes being computed right now on one store (or in memory), across every execution of the
/// process: two executions sharing a node compute it once, the second waiting for the first's
/// value without holding a worker. Only cacheable (non-volatile) nodes are entered.
/// </summary>
internal sealed class InFlightTable
{
    private readonly ConcurrentDictionary<NodeId, InFlightEntry> _entries = new();

    /// <summary>Raised when a waiter is added (tests use it as a signal instead of sleeping).</summary>
    internal event Action<NodeId>? WaiterAdded;

    public int Count => _entries.Count;

    /// <summary>Becomes the owner of <paramref name="id"/> (returns the new entry) or returns the current owner's entry in <paramref name="other"/>.</summary>
    public InFlightEntry? TryBegin(NodeId id, out InFlightEntry? other)
    {
        var mine = new InFlightEntry(this, id);
        var current = _entries.GetOrAdd(id, mine);
        if (ReferenceEquals(current, mine))
        {
            other = null;
            return mine;
        }

        other = current;
        return null;
    }

    internal void Remove(InFlightEntry entry) => _entries.TryRemove(new KeyValuePair<NodeId, InFlightEntry>(entry.Id, entry));

    internal void OnWaiterAdded(NodeId id) => WaiterAdded?.Invoke(id);
}

/// <summary>How a waiter's registration went.</summary>
internal enum InFlightJoin
{
    /// <summary>Registered: the owner will call back.</summary>
    Waiting,
    /// <summary>The owner already finished with a value (given back at once).</summary>
    Succeeded,
    /// <summary>The owner failed or was cancelled: compute it yourself.</summary>
    Failed,
}

/// <summary>One node being computed by one execution, with the executions waiting for it.</summary>
internal sealed class InFlightEntry
{
    private readonly InFlightTable _table;
    private List<(ScheduledExecution Execution, int Node)>? _waiters;
    private bool _done;
    private bool _success;
    private object? _value;

    public InFlightEntry(InFlightTable table, NodeId id)
    {
        _table = table;
        Id = id;
    }

    public NodeId Id { get; }

    /// <summary>
    /// Registers a waiter. Takes only this entry's lock and calls nobody, so callers may hold
    /// their execution's lock (the owner calls waiters back after releasing this lock).
    /// </summary>
    public InFlightJoin Join(ScheduledExecution execution, int node, out object? value)
    {
        lock (this)
        {
            if (_done)
            {
                value = _value;
                return _success ? InFlightJoin.Succeeded : InFlightJoin.Failed;
            }

            (_waiters ??= []).Add((execution, node));
        }

        value = null;
        _table.OnWaiterAdded(Id);
        return InFlightJoin.Waiting;
    }

    /// <summary>
    /// Ends the computation: removes the entry (later arrivals compute or load it themselves)
    /// and calls the waiters back with the outcome. <paramref name="value"/> is the boxed value,
    /// or null when the value lives only in the store (streamed).
    /// </summary>
    public void End(bool success, object? value)
    {
        List<(ScheduledExecution Execution, int Node)>? waiters;
        lock (this)
        {
            _done = true;
            _success = success;
            _value = value;
            waiters = _waiters;
            _waiters = null;
        }

        _table.Remove(this);
        if (waiters is null) return;
        foreach (var (execution, node) in waiters)
        {
            execution.OnSharedNodeFinished(node, success, value);
        }
    }
}
