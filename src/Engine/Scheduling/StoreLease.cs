using VoxScheduler.Storage;

namespace VoxScheduler.Scheduling;

/// <summary>
/// A store held open for as long as the lease is (see <see cref="SchedulerOptions.MaxOpenStores"/>):
/// dispose it when done, and do not use <see cref="Store"/> afterwards — the scheduler may close
/// the store once nobody holds it.
/// </summary>
public sealed class StoreLease : IAsyncDisposable, IDisposable
{
    private readonly DynamicScheduler _scheduler;
    private readonly StoreSlot _slot;
    private int _released;

    internal StoreLease(DynamicScheduler scheduler, StoreSlot slot)
    {
        _scheduler = scheduler;
        _slot = slot;
    }

    /// <summary>The store, open while the lease is held.</summary>
    public IResultStore Store => _slot.Store!;

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) != 0) return;
        _scheduler.ReleaseSlot(_slot);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
