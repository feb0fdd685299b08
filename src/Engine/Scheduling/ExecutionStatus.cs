namespace VoxScheduler.Scheduling;

/// <summary>The state of an execution.</summary>
public enum ExecutionStatus
{
    Pending,
    Running,
    /// <summary>Every goal produced a value.</summary>
    Completed,
    /// <summary>At least one goal failed or was skipped; completed results are kept.</summary>
    Failed,
    /// <summary>Stopped by a cancel; re-submitting resumes.</summary>
    Cancelled,
    /// <summary>
    /// Its host ended it before it finished: the process running it was killed or crashed (seen
    /// in the history), or stopped it on the way out (a cluster silo shutting down,
    /// <see cref="DynamicScheduler.InterruptAllAsync"/>). Results completed before that are kept;
    /// re-submitting resumes.
    /// </summary>
    Interrupted,
}
