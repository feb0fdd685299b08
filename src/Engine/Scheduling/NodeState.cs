namespace VoxScheduler.Scheduling;

/// <summary>The scheduler's internal state of a plan node (one byte per node).</summary>
internal enum NodeState : byte
{
    /// <summary>Not reachable from the goals through nodes that must run: never touched.</summary>
    NotNeeded,
    /// <summary>Waiting for arguments.</summary>
    Pending,
    /// <summary>On the ready stack.</summary>
    Ready,
    /// <summary>A worker is running it.</summary>
    Running,
    /// <summary>Waiting for a retry timer or for another execution computing the same node.</summary>
    Waiting,
    Completed,
    Cached,
    Failed,
    Skipped,
    Cancelled,
}
