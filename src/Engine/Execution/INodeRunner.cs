using VoxScheduler.Operations;

namespace VoxScheduler.Execution;

/// <summary>
/// Where a node runs. The scheduler decides <em>when</em> a node runs (readiness, retries,
/// cancellation, progress, persistence); a runner decides <em>where</em>, and sees only the node
/// and references to its inputs. The local runner (<see cref="LocalNodeRunner"/>) runs it on
/// this process's workers with the input values already in memory; a remote runner would send
/// the node and its input ids (<see cref="NodeInputs.IdAt"/>) and never touch the values.
/// </summary>
internal interface INodeRunner
{
    /// <summary>
    /// True when this runner needs <paramref name="node"/>'s input values in memory (the local
    /// runner: always), so the scheduler loads stored inputs before <see cref="RunAsync"/>; false
    /// when it passes inputs on by reference (a remote runner sends their ids), so the scheduler
    /// loads nothing and an input still in the store reaches <see cref="RunAsync"/> as
    /// <see cref="NodeInputs.IsStored"/>.
    /// </summary>
    bool NeedsValues(in NodeRun node, OperationEnvironment environment);

    /// <summary>
    /// Runs one try of <paramref name="node"/>. Never throws: every failure is in the result.
    /// Completes synchronously when the operation does (the scheduler's path for trivial nodes
    /// allocates no Task).
    /// </summary>
    /// <param name="node">The node: operation (operator and revision), id, attributes, attempt.</param>
    /// <param name="inputs">References to its inputs, in argument order.</param>
    /// <param name="environment">The caller's environment.</param>
    /// <param name="streams">Where a streaming operation writes its output; null when the node may not stream.</param>
    /// <param name="cancellationToken">Cancelled when the execution is cancelled or the node times out.</param>
    ValueTask<ExecutionResult> RunAsync(in NodeRun node, in NodeInputs inputs, OperationEnvironment environment,
        IStreamingOutputSource? streams, CancellationToken cancellationToken);
}
