using VoxScheduler.Dag;
using VoxScheduler.Storage;

namespace VoxScheduler.Scheduling;

/// <summary>
/// Applies a store's <see cref="StoreRetention"/>: at open, on a timer while the store is open
/// (stopped when it closes), and on demand. One application at a time per store; the results
/// the executions running on it still need are kept (<see cref="EvictionPolicy.Keep"/>), and
/// executions that start meanwhile wait for it before they look at the store.
/// </summary>
internal static class StoreRetentionRunner
{
    /// <summary>Applies the slot's policy now; null when it has none, no store, or an application is already running.</summary>
    public static async ValueTask<RetentionReport?> ApplyAsync(StoreSlot slot, TimeProvider time, CancellationToken cancellationToken)
    {
        var retention = slot.Retention;
        if (retention is null || retention.IsEmpty || slot.Store is not { } store) return null;
        if (!slot.TryBeginEviction(out var running)) return null;
        try
        {
            var needed = new HashSet<NodeId>();
            foreach (var execution in running) execution.CollectNeeded(needed);
            var kept = new HashSet<NodeId>();
            EvictionReport? eviction = null;
            if (retention.MaxAge is not null || retention.MaxTotalBytes is not null)
            {
                var policy = new EvictionPolicy(retention.MaxAge, retention.MaxTotalBytes, Keep);
                eviction = await store.EvictAsync(policy, cancellationToken).ConfigureAwait(false);
            }

            HistoryTrimReport? history = null;
            if (retention.History is { } h)
            {
                history = await ExecutionHistoryTrimmer.TrimAsync(store, h, time, cancellationToken).ConfigureAwait(false);
            }

            return new RetentionReport(eviction, history, kept.Count);

            bool Keep(NodeId id)
            {
                if (!needed.Contains(id)) return false;
                kept.Add(id);
                return true;
            }
        }
        finally
        {
            slot.EndEviction();
        }
    }

    /// <summary>Starts (or restarts) the slot's background timer for its policy; none when it has no policy.</summary>
    /// <param name="slot">The store.</param>
    /// <param name="time">The scheduler's clock.</param>
    /// <param name="applied">Called after each background application (tests await it instead of sleeping).</param>
    public static void Schedule(StoreSlot slot, TimeProvider time, Action<RetentionReport?>? applied)
    {
        slot.RetentionTimer?.Dispose();
        slot.RetentionTimer = null;
        if (slot.Retention is not { IsEmpty: false } retention || slot.Store is null) return;
        slot.RetentionTimer = time.CreateTimer(static s =>
        {
            var (slot, time, applied) = ((StoreSlot, TimeProvider, Action<RetentionReport?>?))s!;
            _ = ApplyInBackgroundAsync(slot, time, applied);
        }, (slot, time, applied), retention.Interval, retention.Interval);
    }

    /// <summary>Stops the background timer (the store is closing).</summary>
    public static void Stop(StoreSlot slot)
    {
        slot.RetentionTimer?.Dispose();
        slot.RetentionTimer = null;
    }

    private static async Task ApplyInBackgroundAsync(StoreSlot slot, TimeProvider time, Action<RetentionReport?>? applied)
    {
        RetentionReport? report = null;
        try
        {
            report = await ApplyAsync(slot, time, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // A read-only or damaged store cannot be trimmed; the next tick tries again, and
            // DynamicScheduler.ApplyRetentionAsync reports the error to a caller who asks.
        }

        applied?.Invoke(report);
    }
}
