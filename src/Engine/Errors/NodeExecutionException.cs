namespace VoxScheduler;

/// <summary>
/// An operation failed on a node. By default a failure may be transient and is retried (as the
/// execution's retry policy says); an operation marks a deliberate verdict on its inputs (a type
/// mismatch, a division it refuses, <c>test.fail</c>) <see cref="IsPermanent"/>, and it is tried once.
/// </summary>
public class NodeExecutionException : DynamicSchedulerException
{
    /// <param name="message">What went wrong.</param>
    /// <param name="nodeId">The failing node's id (hex text; a <c>NodeId</c> converts implicitly), or null.</param>
    /// <param name="operator">The operator that failed, or null.</param>
    /// <param name="inner">The cause, or null.</param>
    /// <param name="permanent">True when trying again cannot change the outcome (never retried).</param>
    public NodeExecutionException(string message, string? nodeId = null, string? @operator = null, Exception? inner = null, bool permanent = false)
        : base(message, inner)
    {
        NodeId = nodeId;
        Operator = @operator;
        IsPermanent = permanent;
    }

    /// <summary>True when the operation marked the failure permanent: trying again cannot change it, so it is never retried.</summary>
    public bool IsPermanent { get; }

    /// <summary>The failing node's id as hex text (errors depend on no layer, so not a <c>NodeId</c>).</summary>
    public string? NodeId { get; }

    /// <summary>The operator that failed.</summary>
    public string? Operator { get; }
}
