using VoxScheduler.Storage;

namespace VoxScheduler.Cluster.Coordinator;

/// <summary>
/// What the remote runner needs of an execution it dispatches (found in the execution's
/// <see cref="Operations.OperationEnvironment.Services"/>): its store in the shared database, by
/// namespace for the workers and opened here for the coordinator's own look-ups.
/// </summary>
internal sealed class ClusterExecutionContext(string storeNamespace, IResultStore store, string dagId, ResultWriteOptions writeOptions)
{
    /// <summary>How the execution's results are written (its ExecutionConfig.WriteOptions): the workers apply them to every write.</summary>
    public ResultWriteOptions WriteOptions { get; } = writeOptions;

    public string StoreNamespace { get; } = storeNamespace;

    public IResultStore Store { get; } = store;

    public string DagId { get; } = dagId;

    /// <summary>Set once the scheduler has named the execution (results stored before that carry no execution id).</summary>
    public string? ExecutionId { get; set; }

    /// <summary>Inputs this execution already wrote to the store for the workers (values it held only in memory).</summary>
    internal System.Collections.Concurrent.ConcurrentDictionary<Dag.NodeId, Task> Published { get; } = new();
}
