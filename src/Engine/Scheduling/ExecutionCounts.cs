namespace VoxScheduler.Scheduling;

/// <summary>The node counters of one execution, copied under its lock for a snapshot built outside it.</summary>
internal readonly record struct ExecutionCounts(
    int Total, int Completed, int Cached, int Failed, int Skipped, int Cancelled, int Ready, int Running);
