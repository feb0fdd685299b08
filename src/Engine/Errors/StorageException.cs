using VoxScheduler.Dag;

namespace VoxScheduler;

/// <summary>A store could not be opened, read or written; names the node when one is involved.</summary>
public class StorageException : DynamicSchedulerException
{
    public StorageException(string message, NodeId? nodeId = null, Exception? inner = null)
        : base(nodeId is { } id ? $"{message} (node {id})" : message, inner)
    {
        NodeId = nodeId;
    }

    /// <summary>The node whose result was involved, if any.</summary>
    public NodeId? NodeId { get; }
}
