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
    /// Seen only in the history: the process running it ended (killed, crashed) before it
    /// finished. Results completed before that are kept; re-submitting resumes.
    /// </summary>
    Interrupted,
}
