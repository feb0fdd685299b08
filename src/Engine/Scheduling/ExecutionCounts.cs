namespace VoxScheduler.Scheduling;

/// <summary>
/// The node counters of one execution, copied under its lock for a snapshot built outside it.
/// <see cref="Completed"/> counts nodes computed in the execution (cached ones are <see cref="Cached"/>);
/// <see cref="AllocatedBytes"/> is what those computations allocated.
/// </summary>
internal readonly record struct ExecutionCounts(
    int Total, int Completed, int Cached, int Failed, int Skipped, int Cancelled, int Ready, int Running, long AllocatedBytes = 0);
