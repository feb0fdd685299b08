namespace VoxScheduler.Cluster.Worker;

/// <summary>Keys of <see cref="Operations.OperationEnvironment.Services"/> entries the cluster sets.</summary>
internal static class ClusterServiceKeys
{
    /// <summary>On a worker: the address of the silo running the node (text).</summary>
    public const string Silo = "voxscheduler.cluster.silo";

    /// <summary>On the coordinator: the execution's <see cref="Coordinator.ClusterExecutionContext"/>.</summary>
    public const string Execution = "voxscheduler.cluster.execution";
}
