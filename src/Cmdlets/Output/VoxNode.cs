namespace VoxScheduler.Cmdlets.Output;

/// <summary>A node of a user-built DAG, as made by <c>New-VoxNode</c>: a constant or an operation over other named nodes.</summary>
public sealed class VoxNode
{
    /// <summary>The node's name (a label, unique in the DAG).</summary>
    public required string Name { get; init; }

    /// <summary>The qualified operation (<c>default.add</c>), or <c>constant</c>.</summary>
    public required string Operation { get; init; }

    /// <summary>Names of the argument nodes, in order.</summary>
    public string[] Arguments { get; init; } = [];

    /// <summary>Operation parameters (part of the node's identity).</summary>
    public IReadOnlyDictionary<string, object?>? Parameters { get; init; }

    /// <summary>The literal value of a constant node.</summary>
    public object? Value { get; init; }

    /// <summary>True for constants.</summary>
    public bool IsConstant => Operation == Dag.DagBuilder.ConstantOperator;

    /// <summary>True when the node's value is reported as a goal (by default: nodes nothing depends on).</summary>
    public bool IsGoal { get; init; }

    /// <inheritdoc />
    public override string ToString() => IsConstant ? $"{Name} = {ValueText.Format(Value)}" : $"{Name} = {Operation}({string.Join(", ", Arguments)})";
}
