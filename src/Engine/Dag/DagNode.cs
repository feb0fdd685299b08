using System.Collections.Immutable;

namespace VoxScheduler.Dag;

/// <summary>
/// One node of a <see cref="DagDefinition"/>: a constant, an operation over earlier nodes, or
/// a reference to a node of an enclosing plan. Arguments are indices into the same DAG and
/// are always smaller than the node's own index (the node list is topologically ordered).
/// </summary>
public sealed class DagNode
{
    internal DagNode(int index, NodeId id, NodeKind kind, string @operator, int revision, ImmutableArray<int> arguments,
        object? value, IReadOnlyDictionary<string, object?>? attributes)
    {
        Index = index;
        Id = id;
        Kind = kind;
        Operator = @operator;
        Revision = revision;
        Arguments = arguments;
        Value = value;
        Attributes = attributes;
    }

    /// <summary>Position in <see cref="DagDefinition.Nodes"/>.</summary>
    public int Index { get; }

    /// <summary>The content address.</summary>
    public NodeId Id { get; }

    /// <summary>Constant, operation or external reference.</summary>
    public NodeKind Kind { get; }

    /// <summary>Qualified operator (<c>default.add</c>); <c>constant</c> or <c>external</c> for the other kinds.</summary>
    public string Operator { get; }

    /// <summary>The operation's revision (0 for constants).</summary>
    public int Revision { get; }

    /// <summary>Indices of the argument nodes, in order.</summary>
    public ImmutableArray<int> Arguments { get; }

    /// <summary>The literal value of a constant node.</summary>
    public object? Value { get; }

    /// <summary>Operation attributes (parameters), part of the id; null when none.</summary>
    public IReadOnlyDictionary<string, object?>? Attributes { get; }

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        NodeKind.Constant => $"#{Index} constant {Value}",
        NodeKind.External => $"#{Index} external {Id.ToShortString()}",
        _ => $"#{Index} {Operator}({string.Join(", ", Arguments.Select(a => "#" + a))})",
    };
}
