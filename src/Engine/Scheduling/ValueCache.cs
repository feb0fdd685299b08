using VoxScheduler.Dag;

namespace VoxScheduler.Scheduling;

/// <summary>
/// Values kept in memory after their last consumer, least recently used first out, bounded in
/// bytes (<see cref="ExecutionConfig.CacheSize"/>). One per store slot, shared by the executions
/// on it: a memory-only execution that repeats work of an earlier one takes the values from here
/// (reported Cached), and an execution with a store reads from here before reading the store.
/// Executions add values in batches, so the cache's lock is taken once per batch, not per node.
/// </summary>
internal sealed class ValueCache
{
    private readonly object _lock = new();
    private readonly Dictionary<NodeId, LinkedListNode<Entry>> _entries = [];
    private readonly LinkedList<Entry> _lru = new();
    private long _bytes;

    /// <summary>Bytes currently held (estimated).</summary>
    public long Bytes
    {
        get
        {
            lock (_lock) return _bytes;
        }
    }

    public int Count
    {
        get
        {
            lock (_lock) return _entries.Count;
        }
    }

    /// <summary>The boxed value (see <see cref="ExecutionPlan.NullValue"/>) of a node, marking it recently used; null when absent.</summary>
    public object? TryGet(NodeId id)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(id, out var node)) return null;
            _lru.Remove(node);
            _lru.AddFirst(node);
            return node.Value.Boxed;
        }
    }

    /// <summary>Adds values, then evicts the least recently used until at most <paramref name="capacity"/> bytes are held.</summary>
    public void AddRange(List<(NodeId Id, object Boxed)> values, long capacity)
    {
        if (capacity <= 0) return;
        lock (_lock)
        {
            foreach (var (id, boxed) in values)
            {
                if (_entries.ContainsKey(id)) continue;
                var size = EstimateSize(boxed, capacity);
                if (size > capacity / 4) continue; // one huge value must not flush everything else
                var node = _lru.AddFirst(new Entry(id, boxed, size));
                _entries[id] = node;
                _bytes += size;
            }

            while (_bytes > capacity && _lru.Last is { } last)
            {
                _lru.RemoveLast();
                _entries.Remove(last.Value.Id);
                _bytes -= last.Value.Size;
            }
        }
    }

    /// <summary>Rough managed size of a runtime value (each kind counts its own bytes); stops counting past <paramref name="limit"/>.</summary>
    internal static long EstimateSize(object? value, long limit)
    {
        const int overhead = 192; // dictionary entry, LRU list node, the entry itself, the box
        return overhead + Values.ValueKinds.EstimateSize(value, limit - overhead);
    }

    private readonly record struct Entry(NodeId Id, object Boxed, long Size);
}
