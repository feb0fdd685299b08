using System.Collections;
using VoxScheduler.Storage;
using VoxScheduler.Values;

namespace VoxScheduler.Cmdlets.Output;

/// <summary>A stored result as an item of a VoxStore drive.</summary>
public sealed class VoxStoreItem
{
    internal VoxStoreItem(StorageMetadata metadata)
    {
        NodeId = metadata.NodeId.ToString();
        DataType = metadata.DataType;
        Size = metadata.Size;
        StoredSize = metadata.StoredSize;
        Compression = metadata.Compression;
        ContentHash = metadata.ContentHash;
        CreatedAt = metadata.CreatedAt;
        LastAccessedAt = metadata.LastAccessedAt;
        ExecutionId = metadata.ExecutionId;
        DagId = metadata.DagId;
        Operator = metadata.Operator;
        var table = new Hashtable(StringComparer.OrdinalIgnoreCase);
        if (metadata.Metadata is not null)
        {
            foreach (var (k, v) in metadata.Metadata) table[k] = v;
        }

        Metadata = table;
    }

    /// <summary>The item's name: the node's content id.</summary>
    public string Name => NodeId;

    public string NodeId { get; }

    public DataType DataType { get; }

    /// <summary>Encoded size in bytes.</summary>
    public long Size { get; }

    /// <summary>Bytes on disk (after compression).</summary>
    public long StoredSize { get; }

    /// <summary>lz4, brotli, or null when stored raw.</summary>
    public string? Compression { get; }

    public string? ContentHash { get; }

    public DateTimeOffset CreatedAt { get; }

    public DateTimeOffset LastAccessedAt { get; }

    /// <summary>The execution that produced it.</summary>
    public string? ExecutionId { get; }

    public string? DagId { get; }

    /// <summary>The operator that produced it.</summary>
    public string? Operator { get; }

    /// <summary>User metadata (Set-ItemProperty writes here).</summary>
    public Hashtable Metadata { get; }
}
