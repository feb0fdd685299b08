namespace VoxScheduler.Cluster.Coordinator;

/// <summary>The coordinator's settings: nodes per call at most, the shared store's connection string, and how many idle stores its scheduler keeps open.</summary>
internal sealed record CoordinatorOptions(int MaxBatch, string? ConnectionString, int MaxIdleStores = Worker.SiloWorkerOptions.DefaultMaxIdleStores);
