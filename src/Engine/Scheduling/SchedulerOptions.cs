namespace VoxScheduler.Scheduling;

/// <summary>Process-wide scheduler settings.</summary>
public sealed record SchedulerOptions
{
    /// <summary>Most nodes running at once across all executions (default: processor count × 2, at least 4).</summary>
    public int MaxWorkers { get; init; } = Math.Max(4, Environment.ProcessorCount * 2);

    /// <summary>Clock used for retry backoff and progress (injectable for tests).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>How often progress events are published while an execution runs.</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How many finished executions of this process are kept in memory for lookups.</summary>
    public int RetainFinishedExecutions { get; init; } = 256;
}
