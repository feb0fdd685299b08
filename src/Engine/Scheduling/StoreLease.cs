using VoxScheduler.Storage;

namespace VoxScheduler.Scheduling;

/// <summary>
/// A store held open for as long as the lease is (see <see cref="SchedulerOptions.MaxOpenStores"/>):
/// dispose it when done, and do not use <see cref="Store"/> afterwards — the scheduler may close
/// the store once nobody holds it.
/// </summary>
public sealed class StoreLease : IAsyncDisposable, IDisposable
{
    private readonly StoreCache<StoreAddress, StoreSlot>.Lease _lease;

    internal StoreLease(StoreCache<StoreAddress, StoreSlot>.Lease lease)
    {
        _lease = lease;
    }

    /// <summary>The store, open while the lease is held.</summary>
    public IResultStore Store => _lease.Store.Store!;

    /// <inheritdoc />
    public void Dispose() => _lease.Dispose();

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
