namespace VoxScheduler;

/// <summary>An operation failed on a node (after retries, if any).</summary>
public class NodeExecutionException : DynamicSchedulerException
{
    /// <param name="message">What went wrong.</param>
    /// <param name="nodeId">The failing node's id (hex text; a <c>NodeId</c> converts implicitly), or null.</param>
    /// <param name="operator">The operator that failed, or null.</param>
    /// <param name="inner">The cause, or null.</param>
    public NodeExecutionException(string message, string? nodeId = null, string? @operator = null, Exception? inner = null)
        : base(message, inner)
    {
        NodeId = nodeId;
        Operator = @operator;
    }

    /// <summary>The failing node's id as hex text (errors depend on no layer, so not a <c>NodeId</c>).</summary>
    public string? NodeId { get; }

    /// <summary>The operator that failed.</summary>
    public string? Operator { get; }
}
