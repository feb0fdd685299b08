using VoxScheduler.Cluster.Grains;
using VoxScheduler.Dag;
using VoxScheduler.Execution;

namespace VoxScheduler.Cluster.Coordinator;

/// <summary>One try of one node waiting for (or on) a worker slot.</summary>
internal sealed class RemoteNode(NodeCall call, NodeId id, string @operator, ClusterExecutionContext context, CancellationToken token)
{
    public NodeCall Call { get; } = call;

    public NodeId Id { get; } = id;

    public string Operator { get; } = @operator;

    public ClusterExecutionContext Context { get; } = context;

    public CancellationToken Token { get; } = token;

    /// <summary>Times its worker was lost before it answered (a silo died or did not answer).</summary>
    public int Lost { get; set; }

    public TaskCompletionSource<ExecutionResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
