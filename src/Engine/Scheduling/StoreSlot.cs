namespace VoxScheduler.Scheduling;

/// <summary>
/// A store as the scheduler shares it between executions (or the memory-only "store" of
/// backend <c>none</c>): the store itself and the table of nodes being computed on it.
/// </summary>
internal sealed class StoreSlot
{
    public StoreSlot(Storage.IResultStore? store, bool ownedByScheduler)
    {
        Store = store;
        OwnedByScheduler = ownedByScheduler;
    }

    /// <summary>Null for backend <c>none</c>.</summary>
    public Storage.IResultStore? Store { get; }

    /// <summary>True when the scheduler opened it (and disposes it).</summary>
    public bool OwnedByScheduler { get; }

    public InFlightTable InFlight { get; } = new();

    /// <summary>Values kept after their last consumer, shared by the executions on this slot.</summary>
    public ValueCache Cache { get; } = new();

    private readonly List<ScheduledExecution> _active = [];
    private volatile int _activeCount;

    /// <summary>
    /// True while more than one execution runs on this slot. Only then do executions enter
    /// their nodes in <see cref="InFlight"/>: a lone execution has nobody to share with and
    /// skips the table on its hot path.
    /// </summary>
    public bool IsShared => _activeCount > 1;

    /// <summary>
    /// Registers a starting execution. When it makes the slot shared, the executions already
    /// running publish the nodes they started without the table, so the newcomer waits for
    /// those too instead of computing them a second time.
    /// </summary>
    public void Join(ScheduledExecution execution)
    {
        ScheduledExecution[] others;
        lock (_active)
        {
            _active.Add(execution);
            _activeCount = _active.Count;
            if (_active.Count < 2) return;
            others = _active.Where(x => !ReferenceEquals(x, execution)).ToArray();
        }

        foreach (var other in others) other.PublishRunning();
    }

    public void Leave(ScheduledExecution execution)
    {
        lock (_active)
        {
            _active.Remove(execution);
            _activeCount = _active.Count;
        }
    }
}
