namespace VoxScheduler.Cluster.Coordinator;

/// <summary>
/// One call as the dispatcher made it: the execution's store namespace, the nodes queued when it was made, the
/// slots of the pool then, and how many nodes it carried (<see cref="RemoteNodeRunner.RecentCalls"/>:
/// what the tests check the batching rules against).
/// </summary>
internal readonly record struct DispatchRecord(string StoreNamespace, int Queued, int Slots, int Nodes);
