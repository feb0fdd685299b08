namespace VoxScheduler.Scheduling;

/// <summary>The one definition of "has this execution finished?", used by every front end.</summary>
public static class ExecutionStatusExtensions
{
    /// <summary>
    /// True when the status can no longer change: <see cref="ExecutionStatus.Completed"/>,
    /// <see cref="ExecutionStatus.Failed"/>, <see cref="ExecutionStatus.Cancelled"/> and
    /// <see cref="ExecutionStatus.Interrupted"/> (its process ended: nothing runs it any more, and
    /// resuming it is a new submission with a new id).
    /// </summary>
    public static bool IsTerminal(this ExecutionStatus status) =>
        status is ExecutionStatus.Completed or ExecutionStatus.Failed or ExecutionStatus.Cancelled or ExecutionStatus.Interrupted;
}
