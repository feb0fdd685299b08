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

    /// <summary>Most bytes of tiny results kept by <see cref="TryKeepSmall"/> per execution.</summary>
    public const long SmallBudget = 64L * 1024 * 1024;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<Dag.NodeId, byte[]> _small = new();
    private long _smallBytes;

    /// <summary>Keeps a tiny result a worker returned (stored already), so dependents get it inline; false past the budget.</summary>
    public bool TryKeepSmall(Dag.NodeId id, byte[] bytes)
    {
        // Entry overhead counted too: many tiny values are mostly dictionary.
        var cost = bytes.Length + 96;
        if (Interlocked.Add(ref _smallBytes, cost) > SmallBudget)
        {
            Interlocked.Add(ref _smallBytes, -cost);
            return false;
        }

        if (!_small.TryAdd(id, bytes)) Interlocked.Add(ref _smallBytes, -cost);
        return true;
    }

    /// <summary>The byte form of a tiny stored result a worker returned, if kept.</summary>
    public byte[]? SmallValue(Dag.NodeId id) => _small.TryGetValue(id, out var bytes) ? bytes : null;

    /// <summary>Inputs this execution already wrote to the store for the workers (values it held only in memory).</summary>
    internal System.Collections.Concurrent.ConcurrentDictionary<Dag.NodeId, Task> Published { get; } = new();
}
