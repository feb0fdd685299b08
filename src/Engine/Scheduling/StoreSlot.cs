namespace VoxScheduler.Scheduling;

/// <summary>
/// A store as the scheduler shares it between executions (or the memory-only "store" of
/// backend <c>none</c>): the store itself and the table of nodes being computed on it.
/// </summary>
internal sealed class StoreSlot
{
    public StoreSlot(Storage.IResultStore? store, bool ownedByScheduler, string? key = null)
    {
        Store = store;
        OwnedByScheduler = ownedByScheduler;
        Key = key;
    }

    /// <summary>The scheduler's key for an owned store (backend and full path), else null.</summary>
    public string? Key { get; }

    // Who holds the store open: running executions and leases count, a pin holds it for good.
    private int _holders;
    private bool _pinned;
    private bool _closed;

    /// <summary>When the store was last taken or given back (Stopwatch ticks), for least-recently-used closing.</summary>
    public long LastUsed { get; private set; } = System.Diagnostics.Stopwatch.GetTimestamp();

    /// <summary>Counts one more holder; false when the slot was closed meanwhile (open it again).</summary>
    public bool TryHold()
    {
        lock (_active)
        {
            if (_closed) return false;
            _holders++;
            LastUsed = System.Diagnostics.Stopwatch.GetTimestamp();
            return true;
        }
    }

    /// <summary>Gives back a hold taken with <see cref="TryHold"/>.</summary>
    public void Release()
    {
        lock (_active)
        {
            _holders--;
            LastUsed = System.Diagnostics.Stopwatch.GetTimestamp();
        }
    }

    /// <summary>Keeps the store open for the scheduler's lifetime (callers holding the raw store); false when already closed.</summary>
    public bool TryPin()
    {
        lock (_active)
        {
            if (_closed) return false;
            _pinned = true;
            return true;
        }
    }

    /// <summary>Marks the slot closed when nobody holds it; the caller then disposes the store.</summary>
    public bool TryClose()
    {
        lock (_active)
        {
            if (_closed || _pinned || _holders > 0 || _evicting is not null) return false;
            _closed = true;
            return true;
        }
    }

    /// <summary>True when nobody holds it and it is not pinned (a candidate for closing).</summary>
    public bool IsIdle
    {
        get
        {
            lock (_active) return !_closed && !_pinned && _holders == 0;
        }
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
