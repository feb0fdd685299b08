namespace VoxScheduler.Cluster.Grains;

/// <summary>
/// One submitted execution, keyed by a submission id the client chooses. Its silo's
/// <see cref="Coordinator.ClusterCoordinator"/> runs it (the scheduler inside a silo), so calls
/// the coordinator makes to workers fail as soon as membership declares a silo dead.
/// </summary>
internal interface IExecutionGrain : IGrainWithStringKey
{
    /// <summary>Compiles or parses the request and starts it; a refused submission comes back with <see cref="ExecutionSnapshot.Rejected"/>.</summary>
    Task<ExecutionSnapshot> StartAsync(ExecutionRequest request);

    /// <summary>The progress now.</summary>
    Task<ExecutionSnapshot> GetAsync();

    Task CancelAsync();

    /// <summary>
    /// What happened after the caller's cursors (goals finished, node events when
    /// <paramref name="nodeEvents"/>), waiting up to <paramref name="maxWait"/> (at most
    /// <see cref="ExecutionGrain.MaxPollWait"/>) for something new; always with the progress, and
    /// with the final goals once the execution has ended and every goal event was handed out.
    /// </summary>
    Task<ExecutionUpdate> PollAsync(long nodeCursor, int goalCursor, bool nodeEvents, TimeSpan maxWait, CancellationToken cancellationToken);

    /// <summary>Each DAG node's state, one byte per node index: 0 unknown (not needed), else the engine's NodeStatus + 1; null before the start.</summary>
    Task<byte[]?> GetNodeStatusesAsync();

    /// <summary>Waits up to <paramref name="maxWait"/> for the end; the snapshot carries the goals once finished.</summary>
    [ResponseTimeout("00:10:00")]
    Task<ExecutionSnapshot> WaitAsync(TimeSpan maxWait, CancellationToken cancellationToken);
}
