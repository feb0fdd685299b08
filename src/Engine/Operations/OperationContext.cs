using VoxScheduler.Dag;
using VoxScheduler.Values;

namespace VoxScheduler.Operations;

/// <summary>
/// Everything an operation sees while it runs: its arguments (runtime values), attributes,
/// the cancellation token, the caller's environment, and optionally a streaming output.
/// Created by the executor for one invocation; not to be kept after the operation returns.
/// </summary>
public sealed class OperationContext
{
    private readonly Func<CancellationToken, ValueTask<IStreamingOutput>>? _openOutput;
    private readonly IStreamingOutputSource? _streams;

    public OperationContext(
        Operation operation,
        NodeId nodeId,
        object?[] arguments,
        IReadOnlyDictionary<string, object?>? attributes,
        OperationEnvironment environment,
        CancellationToken cancellationToken,
        Func<CancellationToken, ValueTask<IStreamingOutput>>? openOutput = null,
        int attempt = 1)
    {
        Operation = operation;
        NodeId = nodeId;
        Arguments = arguments;
        Attributes = attributes;
        Environment = environment;
        CancellationToken = cancellationToken;
        Attempt = attempt;
        _openOutput = openOutput;
    }

    /// <summary>The executor's constructor: the node's streaming output is created from <paramref name="streams"/> only if the operation opens it.</summary>
    internal OperationContext(Operation operation, NodeId nodeId, object?[] arguments, IReadOnlyDictionary<string, object?>? attributes,
        OperationEnvironment environment, CancellationToken cancellationToken, IStreamingOutputSource? streams, int attempt)
        : this(operation, nodeId, arguments, attributes, environment, cancellationToken, (Func<CancellationToken, ValueTask<IStreamingOutput>>?)null, attempt)
    {
        _streams = streams;
    }

    /// <summary>Where <see cref="Expand"/> announces a fragment (the running execution), or null.</summary>
    internal IFragmentPins? Pins { get; init; }

    /// <summary>
    /// Expands the node into <paramref name="fragment"/> (see <see cref="OperationResult.Expand"/>),
    /// announcing the fragment to the running execution at once: from this call on, no retention
    /// eviction of its store removes a fragment node the execution will look up there. Prefer this
    /// to <see cref="OperationResult.Expand"/> when the operation does more work after making the fragment.
    /// </summary>
    public OperationResult Expand(DagDefinition fragment, int root)
    {
        var result = OperationResult.Expand(fragment, root);
        Pins?.PinFragment(fragment);
        return result;
    }

    /// <summary>The streaming output the operation opened through the executor's source, or null.</summary>
    internal IStreamingOutputSession? Stream { get; private set; }

    /// <summary>The operation being run.</summary>
    public Operation Operation { get; }

    /// <summary>The node being computed.</summary>
    public NodeId NodeId { get; }

    /// <summary>Argument values, in order.</summary>
    public object?[] Arguments { get; }

    /// <summary>Number of arguments.</summary>
    public int Count => Arguments.Length;

    /// <summary>The node's attributes, or null.</summary>
    public IReadOnlyDictionary<string, object?>? Attributes { get; }

    /// <summary>The caller's environment.</summary>
    public OperationEnvironment Environment { get; }

    /// <summary>Cancelled when the execution is cancelled or the node times out.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>1 for the first try, 2 for the first retry, …</summary>
    public int Attempt { get; }

    /// <summary>Argument <paramref name="index"/>.</summary>
    public object? this[int index] => Arguments[index];

    /// <summary>True when <see cref="OpenOutputAsync"/> is available (the execution has a store and the node is cacheable).</summary>
    public bool CanStream => _openOutput is not null || _streams is not null;

    /// <summary>Opens the streaming output (at most once per invocation).</summary>
    public ValueTask<IStreamingOutput> OpenOutputAsync()
    {
        if (_openOutput is not null) return _openOutput(CancellationToken);
        if (_streams is null) throw new InvalidOperationException($"{Operation.Name} cannot stream here: no store is attached to this execution.");
        Stream ??= _streams.Create(NodeId, Operation.Name);
        return Stream.OpenForOperationAsync(CancellationToken);
    }

    /// <summary>
    /// Argument <paramref name="index"/> as a read-only stream of its byte form (the
    /// specification's <c>read_dependency_stream</c>). A stored input (a <see cref="StoredArgument"/>,
    /// handed over when the operation reads that argument as a stream) streams from the store,
    /// verified as it is read; an input in memory streams from memory (bytes without a copy).
    /// </summary>
    public async ValueTask<ArgumentStream> OpenArgumentStreamAsync(int index)
    {
        var argument = Arguments[index];
        if (argument is StoredArgument stored)
        {
            var stream = await stored.OpenAsync(CancellationToken).ConfigureAwait(false)
                ?? throw Fail($"argument {index + 1} ({stored.Id.ToShortString()}) is no longer in the store.");
            try
            {
                var tag = new byte[1];
                if (await stream.ReadAsync(tag, CancellationToken).ConfigureAwait(false) != 1)
                    throw Fail($"argument {index + 1} ({stored.Id.ToShortString()}) is stored empty.");
                var kind = ValueKinds.FromTag(tag[0])
                    ?? throw Fail($"argument {index + 1} ({stored.Id.ToShortString()}) is stored with the unknown tag {tag[0]}.");
                return new ArgumentStream(kind.Name, stored.Size - 1, stream);
            }
            catch
            {
                await stream.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        if (argument is byte[] bytes) return new ArgumentStream(ValueKinds.Of(bytes)!.Name, bytes.Length, new MemoryStream(bytes, writable: false));
        var valueKind = ValueKinds.Of(argument) ?? throw TypeError(index, "a value", argument);
        var encoded = ValueCodec.Encode(argument);
        return new ArgumentStream(valueKind.Name, encoded.Length - 1, new MemoryStream(encoded, 1, encoded.Length - 1, writable: false));
    }

    /// <summary>Argument as a number, or a clear type error.</summary>
    public double Number(int index) => Arguments[index] switch
    {
        double d => d,
        ulong u => u,
        long l => l,
        var other => throw TypeError(index, "a number", other),
    };

    /// <summary>Argument as a boolean, or a clear type error.</summary>
    public bool Boolean(int index) => Arguments[index] is bool b ? b : throw TypeError(index, "a boolean", Arguments[index]);

    /// <summary>Argument as a string, or a clear type error.</summary>
    public string Text(int index) => Arguments[index] is string s ? s : throw TypeError(index, "a string", Arguments[index]);

    /// <summary>Argument as a sequence, or a clear type error.</summary>
    public object?[] Sequence(int index) => Arguments[index] is object?[] s ? s : throw TypeError(index, "a sequence", Arguments[index]);

    /// <summary>Argument as bytes, or a clear type error.</summary>
    public byte[] Bytes(int index) => Arguments[index] is byte[] b ? b : throw TypeError(index, "bytes", Arguments[index]);

    /// <summary>An attribute, or a clear error when missing.</summary>
    public object? Attribute(string name) =>
        Attributes is not null && Attributes.TryGetValue(name, out var v)
            ? v
            : throw new NodeExecutionException($"{Operation.Name}: attribute '{name}' is missing.", NodeId, Operation.Name, permanent: true);

    /// <summary>A type-mismatch error naming the operation, the argument and what it got.</summary>
    public NodeExecutionException TypeError(int index, string expected, object? actual) =>
        new($"{Operation.Name}: argument {index + 1} must be {expected}, not {ValueCodec.TypeName(actual)}.", NodeId, Operation.Name, permanent: true);

    /// <summary>
    /// A failure of this operation with a message, permanent by default (a verdict on the inputs:
    /// trying again cannot change it, so it is never retried); pass <paramref name="permanent"/>
    /// false for a failure another try might not meet.
    /// </summary>
    public NodeExecutionException Fail(string message, bool permanent = true) => new($"{Operation.Name}: {message}", NodeId, Operation.Name, permanent: permanent);
}
