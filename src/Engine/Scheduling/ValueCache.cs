using VoxScheduler.Dag;

namespace VoxScheduler.Scheduling;

/// <summary>
/// Values kept in memory after their last consumer, least recently used first out, bounded in
/// bytes (<see cref="ExecutionConfig.CacheSize"/>). One per store slot, shared by the executions
/// on it: a memory-only execution that repeats work of an earlier one takes the values from here
/// (reported Cached), and an execution with a store reads from here before reading the store.
/// Executions add values in batches, so the cache's lock is taken once per batch, not per node.
/// <para>
/// The cache counts itself as a holder of the pooled values it keeps (an image's voxel buffer,
/// <see cref="Values.IPooledValue"/>): <see cref="AddRange"/> takes over one hold per value from
/// the caller, an eviction lets go of it (so an evicted image's buffer goes back to its pool
/// rather than to the collector), and <see cref="TryGet"/> lends the caller a hold of its own,
/// taken under the cache's lock so an eviction racing the caller cannot return the buffer first.
/// </para>
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

    /// <summary>
    /// The boxed value (see <see cref="ExecutionPlan.NullValue"/>) of a node, marking it recently
    /// used; null when absent. A pooled value comes with one hold for the caller, who releases it
    /// (<see cref="Values.PooledValues.Release"/>) once it holds the value its own way; a hold never
    /// released only keeps the buffer from its pool.
    /// </summary>
    public object? TryGet(NodeId id)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(id, out var node)) return null;
            _lru.Remove(node);
            _lru.AddFirst(node);
            Values.PooledValues.Retain(node.Value.Boxed);
            return node.Value.Boxed;
        }
    }

    /// <summary>True when a value of <paramref name="id"/> is kept (lends no hold and leaves the order of use alone).</summary>
    public bool Contains(NodeId id)
    {
        lock (_lock) return _entries.ContainsKey(id);
    }

    /// <summary>
    /// Adds values, taking over one hold of each pooled one (a value not kept is let go at once),
    /// then evicts the least recently used until at most <paramref name="capacity"/> bytes are held.
    /// </summary>
    public void AddRange(List<(NodeId Id, object Boxed)> values, long capacity)
    {
        lock (_lock)
        {
            foreach (var (id, boxed) in values)
            {
                var size = capacity > 0 && !_entries.ContainsKey(id) ? EstimateSize(boxed, capacity) : long.MaxValue;
                if (size > capacity / 4)
                {
                    // Not kept (off, already there, or one huge value that must not flush everything else).
                    Values.PooledValues.Release(boxed);
                    continue;
                }

                var node = _lru.AddFirst(new Entry(id, boxed, size));
                _entries[id] = node;
                _bytes += size;
            }

            while (_bytes > capacity && _lru.Last is { } last)
            {
                _lru.RemoveLast();
                _entries.Remove(last.Value.Id);
                _bytes -= last.Value.Size;
                Values.PooledValues.Release(last.Value.Boxed);
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
