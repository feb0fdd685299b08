using System.Collections.Concurrent;
using VoxScheduler.Dag;

namespace VoxScheduler.Storage;

/// <summary>
/// Collects which results were read so their LastAccessedAt can be refreshed in one batch
/// every few seconds instead of one write per read on the hot path. The granularity of
/// LastAccessedAt is therefore the flush interval, which is plenty for LRU eviction.
/// </summary>
internal sealed class AccessTracker : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    private readonly Action<IReadOnlyCollection<NodeId>> _flush;
    private readonly Timer _timer;
    private readonly Lock _flushLock = new();
    private ConcurrentDictionary<NodeId, byte> _pending = new();

    public AccessTracker(Action<IReadOnlyCollection<NodeId>> flush)
    {
        _flush = flush;
        _timer = new Timer(_ => Flush(), null, Interval, Interval);
    }

    public void Touch(NodeId id)
    {
        var pending = _pending;
        // ContainsKey is lock-free; TryAdd takes a bucket lock, so only pay it for new ids.
        if (!pending.ContainsKey(id)) pending.TryAdd(id, 0);
    }

    /// <summary>
    /// Hands the touched ids collected so far to the flush callback. Serialized, so a caller
    /// that flushes (eviction) knows every earlier touch has been handed over when it returns.
    /// </summary>
    public void Flush()
    {
        lock (_flushLock)
        {
            if (_pending.IsEmpty) return;
            try
            {
                var drained = Interlocked.Exchange(ref _pending, new ConcurrentDictionary<NodeId, byte>());
                if (!drained.IsEmpty) _flush(drained.Keys.ToArray());
            }
            catch (Exception)
            {
                // Access times are advisory (eviction order); a failed refresh must never take down a reader or the timer.
            }
        }
    }

    public void Dispose() => _timer.Dispose();
}
