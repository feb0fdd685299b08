namespace VoxScheduler.Scheduling;

/// <summary>What an <see cref="ExecutionEvent"/> reports.</summary>
public enum ExecutionEventKind
{
    /// <summary>A node finished (completed, cached, failed or skipped).</summary>
    NodeFinished,
    /// <summary>A node failed a try and will be retried.</summary>
    NodeRetrying,
    /// <summary>A goal finished; <see cref="ExecutionEvent.Goal"/> is set.</summary>
    GoalFinished,
    /// <summary>A periodic progress snapshot; <see cref="ExecutionEvent.Progress"/> is set.</summary>
    Progress,
    /// <summary>The execution ended; the last event of the stream.</summary>
    ExecutionFinished,
}
