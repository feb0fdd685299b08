using System.Threading.Channels;

namespace VoxScheduler.Cluster.Coordinator;

/// <summary>
/// The free worker slots of a coordinator, per live silo: a silo's slots join when membership
/// lists it as active and leave when it is declared dead or leaves (not at the next submission),
/// so nothing is sent to a silo known to be gone. A slot is taken for one call and returned when
/// the call ends; a slot of a silo that left is dropped instead of returned, and one still
/// waiting in the pool is skipped when its turn comes. Slot numbers are the lowest unused, so a
/// stable cluster keys its slots 0…N−1.
/// </summary>
internal sealed class SlotPool
{
    private readonly Channel<WorkerSlot> _free = Channel.CreateUnbounded<WorkerSlot>();
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (int Epoch, int[] Indexes)> _live = new(StringComparer.Ordinal);
    private readonly SortedSet<int> _unused = [];
    private int _next, _epoch, _count;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Slots of the live silos (free or busy).</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Free slots now (a slot of a silo that just left may still be counted until its turn comes).</summary>
    public int FreeCount => _free.Reader.Count;

    /// <summary>The silos whose slots are in the pool.</summary>
    public IReadOnlyList<string> Silos
    {
        get
        {
            lock (_lock) return [.. _live.Keys.Order(StringComparer.Ordinal)];
        }
    }

    /// <summary>Completes at the next change of the pool's silos (a signal to wait on, never to poll).</summary>
    public Task Changed
    {
        get
        {
            lock (_lock) return _changed.Task;
        }
    }

    public bool Contains(string silo)
    {
        lock (_lock) return _live.ContainsKey(silo);
    }

    /// <summary>Adds the <paramref name="slots"/> slots of <paramref name="silo"/>, free; false when it is in the pool already.</summary>
    public bool Add(string silo, int slots)
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            if (_live.ContainsKey(silo)) return false;
            var epoch = ++_epoch;
            var indexes = new int[slots];
            for (var i = 0; i < slots; i++)
            {
                if (_unused.Count > 0)
                {
                    indexes[i] = _unused.Min;
                    _unused.Remove(indexes[i]);
                }
                else
                {
                    indexes[i] = _next++;
                }
            }

            _live.Add(silo, (epoch, indexes));
            _count += slots;
            foreach (var index in indexes) _free.Writer.TryWrite(new WorkerSlot(index, silo, epoch));
            changed = Swap();
        }

        changed.TrySetResult();
        return true;
    }

    /// <summary>Takes the slots of <paramref name="silo"/> out of the pool; false when they were not in it.</summary>
    public bool Remove(string silo)
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            if (!_live.Remove(silo, out var gone)) return false;
            _count -= gone.Indexes.Length;
            foreach (var index in gone.Indexes) _unused.Add(index);
            changed = Swap();
        }

        changed.TrySetResult();
        return true;
    }

    /// <summary>The next free slot of a live silo (waits for one).</summary>
    public async ValueTask<WorkerSlot> TakeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var slot = await _free.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (IsLive(slot)) return slot;
        }
    }

    /// <summary>Gives a slot back after its call; a slot of a silo that left is dropped.</summary>
    public void Return(WorkerSlot slot)
    {
        if (IsLive(slot)) _free.Writer.TryWrite(slot);
    }

    private bool IsLive(WorkerSlot slot)
    {
        lock (_lock) return _live.TryGetValue(slot.Silo, out var live) && live.Epoch == slot.Epoch;
    }

    private TaskCompletionSource Swap()
    {
        var previous = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return previous;
    }
}
