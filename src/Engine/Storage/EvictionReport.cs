namespace VoxScheduler.Storage;

/// <summary>What an eviction removed.</summary>
public sealed record EvictionReport(int RemovedResults, long RemovedBytes, int RemainingResults, long RemainingBytes);
