namespace VoxScheduler.Execution;

/// <summary>The state of one node in one execution.</summary>
public enum NodeStatus
{
    Pending,
    Ready,
    Running,
    /// <summary>Computed in this execution.</summary>
    Completed,
    /// <summary>Served from the store without recomputation.</summary>
    Cached,
    /// <summary>Failed after its last try.</summary>
    Failed,
    /// <summary>Not run because a dependency failed.</summary>
    Skipped,
    /// <summary>Not run because the execution was cancelled.</summary>
    Cancelled,
    /// <summary>
    /// Not run because the process running the execution ended first (killed, crashed): read
    /// back from a store's history, where the execution is <c>Interrupted</c>. Submitting it again resumes it.
    /// </summary>
    Interrupted,
}
