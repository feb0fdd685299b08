using VoxScheduler.Dag;
using VoxScheduler.Values;

namespace VoxScheduler.Storage;

/// <summary>What is known about a stored result without reading its data.</summary>
public sealed record StorageMetadata
{
    /// <summary>The node whose result this is.</summary>
    public required NodeId NodeId { get; init; }

    /// <summary>The data category.</summary>
    public required DataType DataType { get; init; }

    /// <summary>Size of the encoded value in bytes (before compression).</summary>
    public long Size { get; init; }

    /// <summary>Size on disk (after compression), when known.</summary>
    public long StoredSize { get; init; }

    /// <summary>Hash of the encoded value (the specification's content_hash), hex; filled by the store.</summary>
    public string? ContentHash { get; init; }

    /// <summary>Checksum of the stored bytes verified on every read (algorithm chosen by the backend), filled by the store.</summary>
    public string? Checksum { get; init; }

    /// <summary>Codec used on disk (<c>lz4</c>, <c>brotli</c>) or null when stored raw.</summary>
    public string? Compression { get; init; }

    /// <summary>When the result was first stored.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the result was last read or re-confirmed (for LRU eviction).</summary>
    public DateTimeOffset LastAccessedAt { get; init; }

    /// <summary>The DAG whose execution produced the result.</summary>
    public string? DagId { get; init; }

    /// <summary>The execution that produced the result.</summary>
    public string? ExecutionId { get; init; }

    /// <summary>The operator that produced it (e.g. <c>default.add</c>), for display.</summary>
    public string? Operator { get; init; }

    /// <summary>User metadata (the specification's free-form metadata dictionary).</summary>
    public IReadOnlyDictionary<string, object?>? Metadata { get; init; }

    /// <summary>
    /// The metadata an execution hands the store with a node's result: what the node is and who
    /// produced it; the store fills in sizes on disk, hashes and (by its own clock) the times it keeps.
    /// </summary>
    internal static StorageMetadata ForResult(NodeId nodeId, DataType type, long size, string? @operator, string? dagId, string? executionId,
        DateTimeOffset now) => new()
    {
        NodeId = nodeId,
        DataType = type,
        Size = size,
        Operator = @operator,
        DagId = dagId,
        ExecutionId = executionId,
        CreatedAt = now,
        LastAccessedAt = now,
    };
}
