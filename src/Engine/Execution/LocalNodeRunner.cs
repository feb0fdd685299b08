using VoxScheduler.Operations;

namespace VoxScheduler.Execution;

/// <summary>
/// Runs nodes in this process, on the calling worker, with their input values from memory:
/// a stateless singleton over <see cref="NodeExecutor"/>, so the synchronous path of a trivial
/// node stays free of any Task or per-node object.
/// </summary>
internal sealed class LocalNodeRunner : INodeRunner
{
    /// <summary>The one instance.</summary>
    public static readonly LocalNodeRunner Instance = new();

    private LocalNodeRunner()
    {
    }

    /// <inheritdoc />
    public bool NeedsValues(in NodeRun node, OperationEnvironment environment) => true;

    /// <inheritdoc />
    public ValueTask<ExecutionResult> RunAsync(in NodeRun node, in NodeInputs inputs, OperationEnvironment environment,
        IStreamingOutputSource? streams, CancellationToken cancellationToken) =>
        NodeExecutor.ExecuteAsync(node.Operation, node.NodeId, inputs.Values, node.Attributes, environment, cancellationToken, streams, node.Attempt,
            inputs.Pins);
}
