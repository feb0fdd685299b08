using VoxScheduler.Dag;
using VoxScheduler.Operations;
using VoxScheduler.Storage;
using VoxScheduler.Values;

namespace VoxScheduler.Execution;

/// <summary>
/// Runs one node against a store, without a scheduler (the specification's
/// <c>NodeExecutor.execute_node</c> and <c>StreamingNodeExecutor</c>): its inputs are read from the
/// store by id (an input the operation reads as a stream is streamed from it, never loaded
/// whole), the operation runs through the node-runner seam (<see cref="INodeRunner"/>, this
/// process's <see cref="LocalNodeRunner"/>), and its result is written to the store with its
/// metadata, a streaming operation's output chunk by chunk. A cacheable node already stored is
/// not run again. Thread-safe; one instance can serve any number of calls.
/// </summary>
/// <example>
/// <code>
/// var registry = BuiltinOperations.CreateRegistry();
/// await using var scheduler = new DynamicScheduler(registry);
/// var store = await scheduler.GetStoreAsync("sqlite", "./store");
/// var executor = new SingleNodeExecutor(registry, store);
/// var two = await executor.StoreConstantAsync(2.0);
/// var three = await executor.StoreConstantAsync(3.0);
/// var sum = await executor.ExecuteAsync("default.add", [two, three]);   // runs, stores 5 under sum.NodeId
/// var value = ValueCodec.Decode((await store.RetrieveAsync(sum.NodeId))!);   // 5.0
/// </code>
/// </example>
public sealed class SingleNodeExecutor
{
    private readonly OperationRegistry _operations;
    private readonly IResultStore _store;
    private readonly OperationEnvironment _environment;
    private readonly TimeProvider _time;
    private readonly long _streamingThreshold;
    private readonly StreamingSource _streams;

    /// <param name="operations">The operations nodes may apply.</param>
    /// <param name="store">Where inputs are read and results written.</param>
    /// <param name="environment">The operations' environment (working directory, output root); the default when null.</param>
    /// <param name="streamingThreshold">Results at least this large are recorded as large objects (as <c>ExecutionConfig.StreamingThreshold</c>).</param>
    /// <param name="time">The clock of the metadata; the system clock when null.</param>
    public SingleNodeExecutor(OperationRegistry operations, IResultStore store, OperationEnvironment? environment = null,
        long streamingThreshold = 100L * 1024 * 1024, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(operations);
        ArgumentNullException.ThrowIfNull(store);
        _operations = operations;
        _store = store;
        _environment = environment ?? OperationEnvironment.Default;
        _streamingThreshold = streamingThreshold;
        _time = time ?? TimeProvider.System;
        _streams = new StreamingSource(store, null, null, _time);
    }

    /// <summary>Stores a constant (a runtime value) under its content id, the id a DAG gives the same constant, and returns that id.</summary>
    public async ValueTask<NodeId> StoreConstantAsync(object? value, CancellationToken cancellationToken = default)
    {
        var normalized = ValueCodec.Normalize(value);
        var id = DagBuilder.ComputeConstantId(normalized);
        if (await _store.ExistsAsync(id, cancellationToken).ConfigureAwait(false)) return id;
        var data = ValueCodec.Encode(normalized);
        var metadata = StorageMetadata.ForResult(id, ValueCodec.Classify(normalized, _streamingThreshold), data.Length, DagBuilder.ConstantOperator,
            null, null, _time.GetUtcNow());
        await _store.StoreAsync(id, data, metadata, cancellationToken).ConfigureAwait(false);
        return id;
    }

    /// <summary>
    /// Runs the node <paramref name="operator"/>(<paramref name="inputs"/>) once and stores its
    /// result under the node's content id (<see cref="ExecutionResult.NodeId"/>). Returns
    /// <see cref="NodeStatus.Cached"/> without running when a cacheable result is already stored,
    /// <see cref="NodeStatus.Completed"/> once the result is stored, or
    /// <see cref="NodeStatus.Failed"/> with the error (nothing stored). An unknown operation, a
    /// wrong number of inputs or an input missing from the store is an error naming it.
    /// </summary>
    /// <param name="operator">The qualified operation name (its registered revision is used).</param>
    /// <param name="inputs">The ids of the input values, in argument order; each must be in the store.</param>
    /// <param name="attributes">The node's attributes, or null.</param>
    /// <param name="cancellationToken">Cancels the run (the node ends <see cref="NodeStatus.Cancelled"/>).</param>
    public async ValueTask<ExecutionResult> ExecuteAsync(string @operator, IReadOnlyList<NodeId> inputs,
        IReadOnlyDictionary<string, object?>? attributes = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (!_operations.TryGet(@operator, out var op))
            throw new ValidationException([new ValidationProblem("UnknownOperation", $"Unknown operation '{@operator}'.")]);
        if (!op.AcceptsArity(inputs.Count))
            throw new ValidationException([new ValidationProblem("WrongArity", $"'{op.Name}' takes {op.ArityText} argument(s), not {inputs.Count}.")]);

        var ids = inputs.ToArray();
        var id = DagBuilder.ComputeOperationId(op.Name, op.Revision, ids, attributes);
        if (op.IsCacheable && await _store.ExistsAsync(id, cancellationToken).ConfigureAwait(false))
        {
            // Like a streamed result, the value is in the store, not in memory: read it by id.
            return new ExecutionResult(id, NodeStatus.Cached, OperationResult.Streamed, null, TimeSpan.Zero, 0);
        }

        var values = new object?[ids.Length];
        for (var i = 0; i < ids.Length; i++) values[i] = await ReadInputAsync(op, i, ids[i], cancellationToken).ConfigureAwait(false);

        var result = await LocalNodeRunner.Instance.RunAsync(new NodeRun(op, id, attributes, 1), new NodeInputs(new InputIds(ids), 0, values),
            _environment, op.IsCacheable ? _streams : null, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded) return result;
        switch (result.Result.Kind)
        {
            case OperationResultKind.Streamed:
                return result; // written through to the store as it was produced, committed by the executor
            case OperationResultKind.Expansion:
                return result with
                {
                    Status = NodeStatus.Failed,
                    Error = new NodeExecutionException($"{op.Name} expands into a DAG; submit it to a DynamicScheduler to run it.", id, op.Name, permanent: true),
                };
        }

        var value = result.Result.Value;
        var data = ValueCodec.Encode(value);
        var metadata = StorageMetadata.ForResult(id, ValueCodec.Classify(value, _streamingThreshold), data.Length, op.Name, null, null, _time.GetUtcNow());
        await _store.StoreAsync(id, data, metadata, cancellationToken).ConfigureAwait(false);
        return result;
    }

    private async ValueTask<object?> ReadInputAsync(Operation op, int index, NodeId input, CancellationToken cancellationToken)
    {
        if (op.ReadsAsStream(index))
        {
            var stored = await _store.GetMetadataAsync(input, cancellationToken).ConfigureAwait(false) ?? throw Missing(index, input);
            return new StoredArgument(input, stored.Size, ct => _store.OpenReadAsync(input, ct));
        }

        var data = await _store.RetrieveAsync(input, cancellationToken).ConfigureAwait(false) ?? throw Missing(index, input);
        return ValueCodec.Decode(data);
    }

    private static StorageException Missing(int index, NodeId input) =>
        new($"Input {index + 1} ({input.ToShortString()}) is not in the store.", input);

    /// <summary>Input ids of the one node this executor runs.</summary>
    private sealed class InputIds(NodeId[] ids) : INodeInputIds
    {
        public NodeId InputId(int node, int index) => ids[index];
    }
}
