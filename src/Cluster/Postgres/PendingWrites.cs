namespace VoxScheduler.Cluster.Postgres;

/// <summary>
/// The writes a postgres store has accepted and not yet committed, so a flush (and a dispose)
/// can wait for exactly those: a write is its own transaction on its own pooled connection, with
/// no writer queue to drain as the file backends have. A flush waits for the writes begun before
/// it, never for ones begun after, so a steady stream of writers cannot hold it forever.
/// </summary>
internal sealed class PendingWrites
{
    private readonly Lock _lock = new();
    private readonly Dictionary<long, Task> _running = [];
    private long _next;

    /// <summary>Tracks <paramref name="write"/> until it ends (however it ends); returns it.</summary>
    public TTask Track<TTask>(TTask write) where TTask : Task
    {
        if (write.IsCompleted) return write;
        long key;
        lock (_lock)
        {
            key = _next++;
            _running.Add(key, write);
        }

        write.ContinueWith(static (_, state) =>
        {
            var (self, k) = ((PendingWrites, long))state!;
            lock (self._lock) self._running.Remove(k);
        }, (this, key), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return write;
    }

    /// <summary>Completes when every write tracked before this call has ended (its failure is its caller's, not the flush's).</summary>
    public Task WhenDrainedAsync(CancellationToken cancellationToken)
    {
        Task[] running;
        lock (_lock)
        {
            if (_running.Count == 0) return Task.CompletedTask;
            running = [.. _running.Values];
        }

        // Observe, never rethrow: a failed write already reported to whoever awaited it.
        return Task.WhenAll(running).ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default)
            .WaitAsync(cancellationToken);
    }
}
