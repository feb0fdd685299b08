namespace VoxScheduler.Storage;

/// <summary>What trimming a store's execution history removed and kept.</summary>
public sealed record HistoryTrimReport(int RemovedExecutions, int RemainingExecutions);
