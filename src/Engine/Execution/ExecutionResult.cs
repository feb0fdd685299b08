using VoxScheduler.Dag;
using VoxScheduler.Operations;

namespace VoxScheduler.Execution;

/// <summary>
/// The outcome of one try of one node (the specification's ExecutionResult): status, what the
/// operation produced, the error, and what the try cost (wall time and bytes allocated by the
/// synchronous part of the operation on its thread).
/// </summary>
/// <param name="NodeId">The node.</param>
/// <param name="Status"><see cref="NodeStatus.Completed"/>, <see cref="NodeStatus.Failed"/> or <see cref="NodeStatus.Cancelled"/>.</param>
/// <param name="Result">What the operation returned (a value, a streamed value or an expansion) when completed.</param>
/// <param name="Error">Why the try failed, when it did.</param>
/// <param name="Duration">Wall time of the try.</param>
/// <param name="AllocatedBytes">Bytes allocated on the executing thread by the synchronous part of the try.</param>
public readonly record struct ExecutionResult(
    NodeId NodeId,
    NodeStatus Status,
    OperationResult Result,
    Exception? Error,
    TimeSpan Duration,
    long AllocatedBytes)
{
    /// <summary>The error message, when the try failed.</summary>
    public string? ErrorMessage => Error?.Message;

    /// <summary>True when the try produced a value, a streamed value or an expansion.</summary>
    public bool Succeeded => Status == NodeStatus.Completed;
}
