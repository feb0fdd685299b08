using VoxScheduler.Dag;
using VoxScheduler.Values;

namespace VoxScheduler.Storage;

/// <summary>A results row ready to insert: everything computed off the writer thread.</summary>
internal sealed class SqliteResultRow
{
    public const int Inline = 0;
    public const int Chunks = 1;
    public const int File = 2;

    public required NodeId NodeId { get; init; }
    public required DataType DataType { get; init; }
    public long Size { get; init; }
    public long StoredSize { get; init; }
    public byte Compression { get; init; }
    public required byte[] ContentHash { get; init; }

    /// <summary>Hash of the stored bytes; null when they are the raw value (then <see cref="ContentHash"/> covers them).</summary>
    public byte[]? Checksum { get; init; }
    public long CreatedAt { get; init; }
    public string? DagId { get; init; }
    public string? ExecutionId { get; init; }
    public string? Operator { get; init; }
    public string? MetadataJson { get; init; }
    public int Location { get; init; }
    public long BlobId { get; set; }
    public string? FileName { get; init; }
    public byte[]? InlineData { get; init; }

    /// <summary>For <see cref="Chunks"/> rows stored in one go: the prepared chunks.</summary>
    public IReadOnlyList<SqliteChunk>? PreparedChunks { get; init; }
}
