using VoxScheduler.Dag;

namespace VoxScheduler.Operations;

/// <summary>What an operation produced: a value, a streamed value, or an expansion.</summary>
public readonly struct OperationResult
{
    private OperationResult(OperationResultKind kind, object? value, DagDefinition? fragment, int root)
    {
        Kind = kind;
        Value = value;
        Fragment = fragment;
        Root = root;
    }

    /// <summary>Which of the three forms this is.</summary>
    public OperationResultKind Kind { get; }

    /// <summary>The value, for <see cref="OperationResultKind.Value"/>.</summary>
    public object? Value { get; }

    /// <summary>
    /// For <see cref="OperationResultKind.Expansion"/>: nodes to splice into the running plan.
    /// Nodes of kind <see cref="NodeKind.External"/> refer to nodes of the running plan (or the
    /// store) by id. The fragment's goals are ignored.
    /// </summary>
    public DagDefinition? Fragment { get; }

    /// <summary>For an expansion: index (in <see cref="Fragment"/>) of the node whose value becomes this node's value.</summary>
    public int Root { get; }

    /// <summary>A computed value.</summary>
    public static OperationResult FromValue(object? value) => new(OperationResultKind.Value, value, null, -1);

    /// <summary>The value was written through the streaming output.</summary>
    public static OperationResult Streamed { get; } = new(OperationResultKind.Streamed, null, null, -1);

    /// <summary>Splice <paramref name="fragment"/> into the plan; this node's value is that of node <paramref name="root"/>.
    /// The root may itself expand again, which is how huge loops expand incrementally.</summary>
    public static OperationResult Expand(DagDefinition fragment, int root)
    {
        ArgumentNullException.ThrowIfNull(fragment);
        if ((uint)root >= (uint)fragment.Nodes.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(root), "The expansion root must be a node of the fragment.");
        }

        return new OperationResult(OperationResultKind.Expansion, null, fragment, root);
    }

    public static implicit operator OperationResult(double value) => FromValue(value);

    public static implicit operator OperationResult(bool value) => FromValue(value);

    public static implicit operator OperationResult(string value) => FromValue(value);
}

/// <summary>The forms of <see cref="OperationResult"/>.</summary>
public enum OperationResultKind
{
    Value,
    Streamed,
    Expansion,
}
