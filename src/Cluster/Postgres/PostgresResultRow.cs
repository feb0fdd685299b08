using VoxScheduler.Dag;
using VoxScheduler.Storage;

namespace VoxScheduler.Cluster.Postgres;

/// <summary>One result row as written: inline bytes (<see cref="Data"/>) or a chunked blob (<see cref="BlobId"/>).</summary>
internal sealed record PostgresResultRow(
    NodeId NodeId,
    StorageMetadata Metadata,
    string? MetadataJson,
    long Size,
    long StoredSize,
    byte Compression,
    byte[] ContentHash,
    byte[]? Checksum,
    long? BlobId,
    byte[]? Data);
