namespace VoxScheduler.Cluster.Grains;

/// <summary>
/// One worker slot: runs the batches one coordinator sends it, one call at a time (the
/// coordinator's free-slot pool never has two calls in flight to a slot). Keyed by the slot's
/// number 0…N−1 and, as key extension, the coordinator and the silo it is placed on
/// (<see cref="Placement.SiloBoundPlacementAttribute"/>). A regular grain, not a stateless
/// worker: cancellation reaches it and its calls go to the silo its key names.
/// </summary>
internal interface IWorkerSlotGrain : IGrainWithIntegerCompoundKey
{
    /// <summary>Runs the nodes, stores their results in the shared store, and says how each ended.</summary>
    [ResponseTimeout("7.00:00:00")] // a node may run for hours; a lost silo is noticed by membership, not by this timeout
    Task<NodeCallResult[]> RunAsync(NodeBatch batch, CancellationToken cancellationToken);
}
