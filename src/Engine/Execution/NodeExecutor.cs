using System.Diagnostics;
using VoxScheduler.Dag;
using VoxScheduler.Operations;
using VoxScheduler.Storage;
using VoxScheduler.Values;

namespace VoxScheduler.Execution;

/// <summary>
/// Runs one try of one node: builds the <see cref="OperationContext"/>, calls the operation,
/// measures it and turns whatever happens into an <see cref="ExecutionResult"/> (it never
/// throws). A synchronous operation completes without any Task being allocated: the
/// scheduler's hot path for trivial nodes. Streamed outputs are committed on success and
/// aborted on failure or cancellation.
/// </summary>
internal static class NodeExecutor
{
    /// <summary>
    /// Runs <paramref name="operation"/> on already gathered argument values; <paramref name="streams"/>
    /// is where a streaming operation writes (null: streaming unavailable, no store).
    /// </summary>
    public static ValueTask<ExecutionResult> ExecuteAsync(Operation operation, NodeId nodeId, object?[] arguments,
        IReadOnlyDictionary<string, object?>? attributes, OperationEnvironment environment, CancellationToken cancellationToken,
        IStreamingOutputSource? streams, int attempt, IFragmentPins? pins = null)
    {
        var start = Stopwatch.GetTimestamp();
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        ValueTask<OperationResult> pending;
        var context = new OperationContext(operation, nodeId, arguments, attributes, environment, cancellationToken, streams, attempt) { Pins = pins };
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            pending = operation.ExecuteAsync(context);
        }
        catch (Exception e)
        {
            if (context.Stream is not null) return SlowAsync(nodeId, ValueTask.FromException<OperationResult>(e), cancellationToken, context, start, 0);
            return new(Failure(nodeId, e, cancellationToken, start, GC.GetAllocatedBytesForCurrentThread() - allocatedBefore));
        }

        if (pending.IsCompletedSuccessfully && context.Stream is null)
        {
            var result = pending.Result;
            var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            return new(Success(nodeId, result, start, allocated));
        }

        // The operation went asynchronous (or streamed): only now do we pay for a state machine.
        return SlowAsync(nodeId, pending, cancellationToken, context, start, GC.GetAllocatedBytesForCurrentThread() - allocatedBefore);
    }

    private static async ValueTask<ExecutionResult> SlowAsync(NodeId nodeId, ValueTask<OperationResult> pending,
        CancellationToken cancellationToken, OperationContext context, long start, long allocated)
    {
        try
        {
            var result = await pending.ConfigureAwait(false);
            // Read after the operation finished: it may open its output at any point of its run.
            var stream = context.Stream;
            if (stream is { IsOpen: true })
            {
                if (result.Kind != OperationResultKind.Streamed)
                {
                    await stream.AbortAsync().ConfigureAwait(false);
                    throw new NodeExecutionException("The operation opened its streaming output but returned a value instead of a streamed result.", nodeId, permanent: true);
                }

                cancellationToken.ThrowIfCancellationRequested();
                await stream.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
            else if (result.Kind == OperationResultKind.Streamed)
            {
                throw new NodeExecutionException("The operation returned a streamed result without writing through its streaming output.", nodeId, permanent: true);
            }

            return Success(nodeId, result, start, allocated);
        }
        catch (Exception e)
        {
            if (context.Stream is { } stream)
            {
                try
                {
                    await stream.AbortAsync().ConfigureAwait(false);
                }
                catch (Exception abortError)
                {
                    e = new AggregateException(e, abortError);
                }
            }

            return Failure(nodeId, e, cancellationToken, start, allocated);
        }
    }

    private static ExecutionResult Success(NodeId nodeId, OperationResult result, long start, long allocated)
    {
        if (result.Kind == OperationResultKind.Value && !IsPlainValue(result.Value))
        {
            try
            {
                result = OperationResult.FromValue(ValueCodec.Normalize(result.Value));
            }
            catch (ArgumentException e)
            {
                return new(nodeId, NodeStatus.Failed, default, new NodeExecutionException(e.Message, nodeId, inner: e, permanent: true),
                    Stopwatch.GetElapsedTime(start), allocated);
            }
        }

        return new(nodeId, NodeStatus.Completed, result, null, Stopwatch.GetElapsedTime(start), allocated);
    }

    // Sequences and records are not plain until their items are checked: one holding a CLR object
    // (or itself) must fail here, naming the node, not later when a consumer or the store meets it.
    private static bool IsPlainValue(object? value) =>
        value is null or double or ulong or long or bool or string or byte[];

    private static ExecutionResult Failure(NodeId nodeId, Exception error, CancellationToken cancellationToken, long start, long allocated)
    {
        var cancelled = cancellationToken.IsCancellationRequested && error is OperationCanceledException;
        return new(nodeId, cancelled ? NodeStatus.Cancelled : NodeStatus.Failed, default, error, Stopwatch.GetElapsedTime(start), allocated);
    }
}
