namespace VoxScheduler;

/// <summary>A store could not be opened, read or written; names the node when one is involved.</summary>
public class StorageException : DynamicSchedulerException
{
    /// <param name="message">What went wrong.</param>
    /// <param name="nodeId">The node's id (hex text; a <c>NodeId</c> converts implicitly), or null.</param>
    /// <param name="inner">The cause, or null.</param>
    public StorageException(string message, string? nodeId = null, Exception? inner = null)
        : base(nodeId is { } id ? $"{message} (node {id})" : message, inner)
    {
        NodeId = nodeId;
    }

    /// <summary>The id (hex text) of the node whose result was involved, if any.</summary>
    public string? NodeId { get; }
}
