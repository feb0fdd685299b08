namespace VoxScheduler;

/// <summary>Stored bytes failed verification against their checksum: never served, the node is recomputed.</summary>
public sealed class StorageCorruptionException : StorageException
{
    public StorageCorruptionException(string message, string nodeId, Exception? inner = null) : base(message, nodeId, inner) { }
}
