namespace VoxScheduler.Scheduling;

/// <summary>
/// A store as the scheduler shares it between executions (or the memory-only "store" of
/// backend <c>none</c>): the store itself and the table of nodes being computed on it.
/// </summary>
internal sealed class StoreSlot : IAsyncDisposable
{
    public StoreSlot(Storage.IResultStore? store)
    {
        Store = store;
    }

    // Set when the scheduler closes the store (guarded by _active): no eviction starts after it.
    private bool _closed;

    /// <summary>
    /// Closes a store the scheduler opened (its <see cref="Storage.StoreCache{TKey,TStore}"/> calls this once
    /// nobody holds it): the retention timer stops, a running eviction ends first, then the store is disposed.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        lock (_active) _closed = true;
        StoreRetentionRunner.Stop(this);
        await EvictionIdle.ConfigureAwait(false);
        if (Store is not null) await Store.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Null for backend <c>none</c>.</summary>
    public Storage.IResultStore? Store { get; }

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
    /// those too instead of computing them a second time. Returns the eviction running on the
    /// store (or a completed task): the newcomer waits for it before looking at the store, so an
    /// eviction either saw it (and kept its whole DAG) or ended before it looked.
    /// </summary>
    public Task Join(ScheduledExecution execution)
    {
        ScheduledExecution[] others;
        Task eviction;
        lock (_active)
        {
            _active.Add(execution);
            _activeCount = _active.Count;
            eviction = _evicting?.Task ?? Task.CompletedTask;
            if (_active.Count < 2) return eviction;
            others = _active.Where(x => !ReferenceEquals(x, execution)).ToArray();
        }

        foreach (var other in others) other.PublishRunning();
        return eviction;
    }

    // The retention policy applied to this store, and the eviction running now (guarded by _active).
    private TaskCompletionSource? _evicting;

    /// <summary>The retention policy of this store while it is open (null: none).</summary>
    public StoreRetention? Retention { get; set; }

    /// <summary>The background timer applying <see cref="Retention"/>; disposed when the store closes.</summary>
    public ITimer? RetentionTimer { get; set; }

    /// <summary>Starts an eviction (false when one is running) and gives the executions running on the store now.</summary>
    public bool TryBeginEviction(out ScheduledExecution[] running)
    {
        lock (_active)
        {
            if (_evicting is not null || _closed)
            {
                running = [];
                return false;
            }

            _evicting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            running = [.. _active];
            return true;
        }
    }

    /// <summary>Ends the eviction begun by <see cref="TryBeginEviction"/>; executions waiting to start go on.</summary>
    public void EndEviction()
    {
        TaskCompletionSource? done;
        lock (_active)
        {
            done = _evicting;
            _evicting = null;
        }

        done?.SetResult();
    }

    /// <summary>The eviction running now, or a completed task.</summary>
    public Task EvictionIdle
    {
        get
        {
            lock (_active) return _evicting?.Task ?? Task.CompletedTask;
        }
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
