using VoxScheduler.Operations;

namespace VoxScheduler.Cluster.Hosting;

/// <summary>What a VoxScheduler silo offers the cluster, and how quickly it gives up on a silo that stopped answering.</summary>
public sealed record VoxSiloOptions
{
    /// <summary>Worker slots of this silo: nodes it runs at once (at most one call per slot). Default: one per processor.</summary>
    public int Slots { get; init; } = Environment.ProcessorCount;

    /// <summary>Bytes of input values this silo keeps in memory between nodes (by content id; 0: none).</summary>
    public long CacheBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>Nodes one call carries at most (trivial nodes are not one call each).</summary>
    public int MaxBatch { get; init; } = 64;

    /// <summary>
    /// How many store namespaces this silo keeps open: its worker keeps at most this many that no
    /// call uses, and its coordinator's scheduler at most this many in all
    /// (<see cref="Scheduling.SchedulerOptions.MaxOpenStores"/>, idle ones closed first). The least
    /// recently used beyond it are closed, so runs on many namespaces (chosen by whoever submits)
    /// do not keep handles and connections for good. A store in use is never closed, so more may
    /// be open while more runs use them.
    /// </summary>
    public int MaxIdleStores { get; init; } = Worker.SiloWorkerOptions.DefaultMaxIdleStores;

    /// <summary>The shared store's connection string; null: the VOXSCHEDULER_POSTGRES environment variable.</summary>
    public string? PostgresConnectionString { get; init; }

    /// <summary>Adds operations to this silo's registry (every silo must register the same ones).</summary>
    public Action<OperationRegistry>? ConfigureOperations { get; init; }

    /// <summary>
    /// How long a membership probe waits for an answer (Orleans' default is 5 s). With
    /// <see cref="NumMissedProbesLimit"/> this sets how soon a silo that died is declared dead and its
    /// nodes are sent elsewhere: 3 s × 2 probes plus the vote, about 7 s instead of Orleans' ~15 s,
    /// while a loaded machine's GC pause (well under a second) still never looks like a death.
    /// </summary>
    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Missed probes before a silo is suspected (Orleans' default is 3).</summary>
    public int NumMissedProbesLimit { get; init; } = 2;

    /// <summary>
    /// How often this silo writes its heartbeat ("I am alive") to the membership table (Orleans'
    /// default is 30 s). An entry is stale after two missed heartbeats, and a stale entry no longer
    /// holds up a joining silo (which otherwise waits until it can reach every active silo). With Orleans' 30 s, a silo started after a SIGKILL
    /// (same cluster id) waited for its dead predecessor's entry to go stale, 60 s after its last
    /// heartbeat, and 76–104 s in all on a loaded machine; with 5 s, about 10 s. The cost is one
    /// small membership-table write per silo every 5 s; a live silo that cannot write its
    /// heartbeat for 10 s (its table unreachable) is only skipped by joining silos, and declared
    /// dead only if it also misses its probes.
    /// </summary>
    public TimeSpan IAmAlivePeriod { get; init; } = TimeSpan.FromSeconds(5);

    internal void Validate()
    {
        if (Slots is < 1 or > 4096) throw new ArgumentOutOfRangeException(nameof(Slots), Slots, "A silo offers 1 to 4096 worker slots.");
        if (MaxBatch is < 1 or > 4096) throw new ArgumentOutOfRangeException(nameof(MaxBatch), MaxBatch, "A call carries 1 to 4096 nodes.");
        if (MaxIdleStores is < 1 or > 4096) throw new ArgumentOutOfRangeException(nameof(MaxIdleStores), MaxIdleStores, "A silo keeps 1 to 4096 idle stores open.");
        if (CacheBytes < 0) throw new ArgumentOutOfRangeException(nameof(CacheBytes), CacheBytes, "The cache size cannot be negative.");
        if (ProbeTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(ProbeTimeout), ProbeTimeout, "The probe timeout must be positive.");
        if (IAmAlivePeriod < TimeSpan.FromSeconds(1)) throw new ArgumentOutOfRangeException(nameof(IAmAlivePeriod), IAmAlivePeriod, "The heartbeat period is at least 1 s.");
        if (NumMissedProbesLimit < 1) throw new ArgumentOutOfRangeException(nameof(NumMissedProbesLimit), NumMissedProbesLimit, "At least one missed probe.");
    }
}
