using VoxScheduler.Dag;

namespace VoxScheduler;

/// <summary>An operation failed on a node (after retries, if any).</summary>
public class NodeExecutionException : DynamicSchedulerException
{
    public NodeExecutionException(string message, NodeId? nodeId = null, string? @operator = null, Exception? inner = null)
        : base(message, inner)
    {
        NodeId = nodeId;
        Operator = @operator;
    }

    /// <summary>The failing node.</summary>
    public NodeId? NodeId { get; }

    /// <summary>The operator that failed.</summary>
    public string? Operator { get; }
}
