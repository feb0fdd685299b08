namespace VoxScheduler.Cmdlets.Output;

/// <summary>A named node of an execution (a goal label or a user node name), as an item of a VoxStore drive.</summary>
public sealed class VoxExecutionNode
{
    internal VoxExecutionNode(Storage.ExecutionNodeName name, bool stored)
    {
        ExecutionId = name.ExecutionId;
        Name = name.Name;
        NodeId = name.NodeId.ToString();
        IsGoal = name.IsGoal;
        Ordinal = name.Ordinal;
        HasResult = stored;
    }

    public string ExecutionId { get; }

    /// <summary>The label or node name.</summary>
    public string Name { get; }

    /// <summary>The content id its result is stored under.</summary>
    public string NodeId { get; }

    public bool IsGoal { get; }

    public int Ordinal { get; }

    /// <summary>True when the store holds the node's result.</summary>
    public bool HasResult { get; }
}
