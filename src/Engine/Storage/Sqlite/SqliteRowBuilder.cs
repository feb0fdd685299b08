using VoxScheduler.Dag;

namespace VoxScheduler.Storage;

/// <summary>
/// Builds result rows on the caller's thread (hashing, compression, chunking), so the single
/// writer only binds parameters and the CPU work spreads over the callers.
/// </summary>
internal static class SqliteRowBuilder
{
    /// <summary>Size of a stored chunk of a large result.</summary>
    public const int ChunkSize = 1024 * 1024;

    public static SqliteResultRow Inline(NodeId id, ReadOnlySpan<byte> data, StorageMetadata metadata, string? metadataJson, byte codec, long now) =>
        Inline(id, data, metadata.DataType, metadata.DagId, metadata.ExecutionId, metadata.Operator, metadataJson, codec, now);

    public static SqliteResultRow Inline(NodeId id, ReadOnlySpan<byte> data, Values.DataType dataType, string? dagId, string? executionId, string? @operator,
        string? metadataJson, byte codec, long now)
    {
        var hash = StoreHash.Compute(data);
        var compressed = StoreCodec.TryCompress(data, codec);
        return new SqliteResultRow
        {
            NodeId = id,
            DataType = dataType,
            Size = data.Length,
            StoredSize = compressed?.Length ?? data.Length,
            Compression = compressed is null ? StoreCodec.Raw : codec,
            ContentHash = hash,
            Checksum = compressed is null ? null : StoreHash.Compute(compressed),
            CreatedAt = now,
            DagId = dagId,
            ExecutionId = executionId,
            Operator = @operator,
            MetadataJson = metadataJson,
            Location = SqliteResultRow.Inline,
            InlineData = compressed ?? data.ToArray(),
        };
    }

    /// <summary>
    /// Splits a value into chunks, each compressed on its own (so it can be streamed back
    /// chunk by chunk). If the first chunk does not compress, the rest are not tried: large
    /// incompressible data (images, archives) then costs no compression work at all.
    /// </summary>
    public static SqliteResultRow Chunked(NodeId id, ReadOnlyMemory<byte> data, StorageMetadata metadata, string? metadataJson, byte codec, long now)
    {
        var chunks = new List<SqliteChunk>((int)(data.Length / ChunkSize) + 1);
        var content = new StoreHasher();
        StoreHasher? stored = null;
        var compressMode = codec != StoreCodec.Raw;
        var anyCompressed = false;
        long storedSize = 0;
        for (var offset = 0; offset < data.Length; offset += ChunkSize)
        {
            var raw = data.Slice(offset, Math.Min(ChunkSize, data.Length - offset));
            content.Append(raw.Span);
            byte[]? compressed = null;
            if (compressMode)
            {
                compressed = StoreCodec.TryCompress(raw.Span, codec);
                if (offset == 0 && compressed is null) compressMode = false;
                else stored ??= new StoreHasher();
            }

            ReadOnlyMemory<byte> storedBytes = compressed ?? raw;
            stored?.Append(storedBytes.Span);
            anyCompressed |= compressed is not null;
            storedSize += storedBytes.Length;
            chunks.Add(new SqliteChunk(raw.Length, compressed is null ? StoreCodec.Raw : codec, storedBytes));
        }

        return new SqliteResultRow
        {
            NodeId = id,
            DataType = metadata.DataType,
            Size = data.Length,
            StoredSize = storedSize,
            Compression = anyCompressed ? codec : StoreCodec.Raw,
            ContentHash = StoreHash.Finish(content),
            Checksum = stored is null ? null : StoreHash.Finish(stored),
            CreatedAt = now,
            DagId = metadata.DagId,
            ExecutionId = metadata.ExecutionId,
            Operator = metadata.Operator,
            MetadataJson = metadataJson,
            Location = SqliteResultRow.Chunks,
            PreparedChunks = chunks,
        };
    }

    /// <summary>A row pointing at a raw data file (hybrid store, results above the streaming threshold).</summary>
    public static SqliteResultRow File(NodeId id, string fileName, long size, byte[] hash, StorageMetadata metadata, string? metadataJson, long now) => new()
    {
        NodeId = id,
        DataType = metadata.DataType,
        Size = size,
        StoredSize = size,
        Compression = StoreCodec.Raw,
        ContentHash = hash,
        CreatedAt = now,
        DagId = metadata.DagId,
        ExecutionId = metadata.ExecutionId,
        Operator = metadata.Operator,
        MetadataJson = metadataJson,
        Location = SqliteResultRow.File,
        FileName = fileName,
    };
}
