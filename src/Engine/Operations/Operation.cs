using VoxScheduler.Dag;

namespace VoxScheduler.Operations;

/// <summary>
/// An operation nodes can apply: a qualified name (<c>namespace.name</c>), an arity, a purity
/// and a revision that is part of every node id using it (bump it when semantics change).
/// Implementations must be thread-safe and honour the context's cancellation token.
/// </summary>
public abstract class Operation : IOperatorSignature
{
    protected Operation(string name, int minArity, int maxArity, int revision = 1, Purity purity = Purity.Pure, string description = "",
        int baseFormArity = -1)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var dot = name.IndexOf('.');
        if (dot <= 0 || dot == name.Length - 1)
        {
            throw new ArgumentException($"Operation names are qualified ('namespace.name'), not '{name}'.", nameof(name));
        }

        if (minArity < 0 || (maxArity >= 0 && maxArity < minArity))
        {
            throw new ArgumentException($"Invalid arity {minArity}..{maxArity} for {name}.");
        }

        Name = name;
        Namespace = name[..dot];
        ShortName = name[(dot + 1)..];
        MinArity = minArity;
        MaxArity = maxArity;
        Revision = revision;
        Purity = purity;
        Description = description;
        BaseFormArity = baseFormArity;
    }

    /// <summary>Qualified name, e.g. <c>default.add</c>.</summary>
    public string Name { get; }

    /// <summary>The namespace part (<c>default</c>).</summary>
    public string Namespace { get; }

    /// <summary>The unqualified part (<c>add</c>).</summary>
    public string ShortName { get; }

    /// <summary>Fewest arguments accepted.</summary>
    public int MinArity { get; }

    /// <summary>Most arguments accepted, or -1 for any number.</summary>
    public int MaxArity { get; }

    /// <summary>Part of every node id using this operation.</summary>
    public int Revision { get; }

    /// <summary>Whether results may be reused.</summary>
    public Purity Purity { get; }

    /// <summary>One line for <c>Get-VoxOperation</c> and the REST operation list.</summary>
    public string Description { get; }

    /// <summary>
    /// The number of arguments of the operation's bare form, or -1 when it has none. A bare form
    /// (IMAGES.md §3: <c>tt</c>, <c>constant(k)</c>) takes its shape from the base image in scope:
    /// the reducer appends that image as the last argument, so the node always carries it.
    /// </summary>
    public int BaseFormArity { get; }

    /// <summary>
    /// True when the operation is the engine's own code, which keeps no reference to its
    /// arguments once it has returned (unless it returns them): the scheduler may then give a
    /// pooled argument's memory back after the last consumer ran. Arguments of any other
    /// operation (a script block, a caller's delegate) are shared first: it may keep them.
    /// </summary>
    internal virtual bool IsEngineCode => GetType().Assembly == typeof(Operation).Assembly;

    /// <summary>True when results of this operation may be served from the store.</summary>
    public bool IsCacheable => Purity != Purity.NonDeterministic;

    /// <summary>
    /// True when argument <paramref name="index"/> is read as a stream: the scheduler does not
    /// load it when it is stored but hands over a <see cref="StoredArgument"/>, and the operation
    /// reads it through <see cref="OperationContext.OpenArgumentStreamAsync"/> (which also
    /// streams an argument that is in memory).
    /// </summary>
    public bool ReadsAsStream(int index) => (uint)index < 64 && (_streamedArguments & (1UL << index)) != 0;

    /// <summary>
    /// Declares the arguments this operation reads as streams (positions 0–63), so a large input
    /// is never loaded whole. Call it before the operation is registered; returns this operation.
    /// </summary>
    public Operation WithStreamedArguments(params ReadOnlySpan<int> indices)
    {
        foreach (var index in indices)
        {
            if ((uint)index >= 64 || (MaxArity >= 0 && index >= MaxArity))
            {
                throw new ArgumentOutOfRangeException(nameof(indices), index, $"{Name} has no argument {index} to read as a stream.");
            }

            _streamedArguments |= 1UL << index;
        }

        return this;
    }

    private ulong _streamedArguments;

    /// <summary>Arity as text: <c>2</c>, <c>1..2</c>, <c>0..</c>.</summary>
    public string ArityText => MaxArity == MinArity ? $"{MinArity}" : MaxArity < 0 ? $"{MinArity}.." : $"{MinArity}..{MaxArity}";

    /// <summary>True when <paramref name="count"/> arguments are accepted.</summary>
    public bool AcceptsArity(int count) => count >= MinArity && (MaxArity < 0 || count <= MaxArity);

    /// <summary>Runs the operation. Throw <see cref="NodeExecutionException"/> (or any exception) to fail the node.</summary>
    public abstract ValueTask<OperationResult> ExecuteAsync(OperationContext context);

    /// <summary>An operation from a synchronous delegate.</summary>
    public static Operation Create(string name, int minArity, int maxArity, Func<OperationContext, object?> body,
        int revision = 1, Purity purity = Purity.Pure, string description = "", int baseFormArity = -1) =>
        new DelegateOperation(name, minArity, maxArity, revision, purity, description, baseFormArity, body);

    /// <summary>An operation from an asynchronous delegate.</summary>
    public static Operation CreateAsync(string name, int minArity, int maxArity, Func<OperationContext, ValueTask<OperationResult>> body,
        int revision = 1, Purity purity = Purity.Pure, string description = "") =>
        new AsyncDelegateOperation(name, minArity, maxArity, revision, purity, description, -1, body);

    /// <inheritdoc />
    public override string ToString() => $"{Name}/{ArityText} r{Revision}";

    private sealed class DelegateOperation(string name, int min, int max, int revision, Purity purity, string description, int baseFormArity,
        Func<OperationContext, object?> body) : Operation(name, min, max, revision, purity, description, baseFormArity)
    {
        internal override bool IsEngineCode { get; } = body.Method.Module.Assembly == typeof(Operation).Assembly;

        // A synchronous body may also return an OperationResult (an expansion): pass it through rather than treat it as a value.
        public override ValueTask<OperationResult> ExecuteAsync(OperationContext context) =>
            new(body(context) switch
            {
                OperationResult result => result,
                var value => OperationResult.FromValue(value),
            });
    }

    private sealed class AsyncDelegateOperation(string name, int min, int max, int revision, Purity purity, string description, int baseFormArity,
        Func<OperationContext, ValueTask<OperationResult>> body) : Operation(name, min, max, revision, purity, description, baseFormArity)
    {
        internal override bool IsEngineCode { get; } = body.Method.Module.Assembly == typeof(Operation).Assembly;

        public override ValueTask<OperationResult> ExecuteAsync(OperationContext context) => body(context);
    }
}
