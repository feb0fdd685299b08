namespace VoxScheduler.Scheduling;

/// <summary>Process-wide scheduler settings.</summary>
public sealed record SchedulerOptions
{
    /// <summary>
    /// Most nodes computing at once across all executions, the CPU workers (default: processor
    /// count × 2, at least 4). Nodes waiting on I/O hold no worker; see <see cref="DynamicScheduler.MaxWorkers"/>.
    /// </summary>
    public int MaxWorkers { get; init; } = Math.Max(4, Environment.ProcessorCount * 2);

    /// <summary>Clock used for retry backoff and progress (injectable for tests).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>How often progress events are published while an execution runs.</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How many finished executions of this process are kept in memory for lookups.</summary>
    public int RetainFinishedExecutions { get; init; } = 256;

    /// <summary>
    /// Most bytes (estimated: DAG nodes and goal values) the finished executions kept in memory
    /// may hold together, besides their count (0: count only). The newest is always kept.
    /// </summary>
    public long RetainFinishedBytes { get; init; }

    /// <summary>
    /// The retention policy of every store this scheduler opens that has none of its own
    /// (<see cref="DynamicScheduler.SetRetentionAsync"/>); null: results and history are kept
    /// until trimmed on demand.
    /// </summary>
    public StoreRetention? Retention { get; init; }

    /// <summary>
    /// Most stores kept open at once (0: no bound, every store stays open until the scheduler is
    /// disposed). Past the bound the least recently used store nobody holds — no running
    /// execution, no <see cref="StoreLease"/>, not pinned by <see cref="DynamicScheduler.GetStoreAsync"/> —
    /// is closed (its writer thread and connections with it) and reopened on demand. A server sets
    /// it: every distinct store path would otherwise keep file descriptors and threads for good.
    /// </summary>
    public int MaxOpenStores { get; init; }

    /// <summary>
    /// Opens this scheduler's stores (backend, location, options) instead of the process-wide
    /// <see cref="Storage.StoreFactory"/>; null: the factory. A host that owns its connection sets it
    /// (a cluster coordinator opens its own database's namespaces, whatever another component of the
    /// same process registered for the backend).
    /// </summary>
    public Func<string, string, Storage.StoreOptions, CancellationToken, ValueTask<Storage.IResultStore>>? StoreOpener { get; init; }

    /// <summary>
    /// The cluster silo this scheduler coordinates for (<c>address:port@generation</c>), recorded
    /// with every execution's history (<see cref="Storage.ExecutionRecord.Coordinator"/>) so the
    /// surviving silos can end the records it leaves Running if it dies; null: a local scheduler.
    /// </summary>
    public string? Coordinator { get; init; }
}
