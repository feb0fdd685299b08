namespace VoxScheduler.Cluster.Coordinator;

/// <summary>The coordinator's settings: nodes per call at most, and the shared store's connection string.</summary>
internal sealed record CoordinatorOptions(int MaxBatch, string? ConnectionString);
