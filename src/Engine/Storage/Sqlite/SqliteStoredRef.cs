namespace VoxScheduler.Storage;

/// <summary>Where and how a result's bytes are stored, as read from its row.</summary>
internal sealed class SqliteStoredRef
{
    public long Size { get; init; }
    public long StoredSize { get; init; }
    public byte Compression { get; init; }
    public required byte[] ContentHash { get; init; }
    public byte[]? Checksum { get; init; }
    public int Location { get; init; }
    public long BlobId { get; init; }
    public string? FileName { get; init; }
    public byte[]? InlineData { get; init; }
    public long AccessedAt { get; init; }

    /// <summary>The hash the stored bytes must match.</summary>
    public byte[] StoredHash => Checksum ?? ContentHash;
}
