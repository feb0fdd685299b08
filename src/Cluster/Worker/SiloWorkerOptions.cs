namespace VoxScheduler.Cluster.Worker;

/// <summary>What a silo's worker needs: its slot count, its cache budget and the shared store's connection string.</summary>
internal sealed record SiloWorkerOptions(int Slots, long CacheBytes, string? ConnectionString);
