using VoxScheduler.Storage;

namespace VoxScheduler.Scheduling;

/// <summary>What one application of a <see cref="StoreRetention"/> did.</summary>
/// <param name="Eviction">Results evicted and left (null when the policy bounds no results).</param>
/// <param name="History">Executions forgotten and left (null when the policy keeps all history).</param>
/// <param name="Kept">Results the policy would have evicted but a running execution still needed.</param>
public sealed record RetentionReport(EvictionReport? Eviction, HistoryTrimReport? History, int Kept);
