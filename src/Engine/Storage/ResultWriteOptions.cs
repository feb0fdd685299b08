namespace VoxScheduler.Storage;

/// <summary>
/// How one write is stored: the compression and streaming threshold of the specification's
/// ExecutionConfig, applied by the store to that write. A store is opened with defaults
/// (<see cref="StoreOptions"/>) and shared by every execution on it; each execution passes its
/// own options with each of its writes, so two executions on one store can store differently.
/// </summary>
public sealed record ResultWriteOptions
{
    /// <summary>Compress the result (data that does not shrink is stored raw regardless).</summary>
    public bool Compression { get; init; } = true;

    /// <summary>The codec when <see cref="Compression"/> is on: <c>lz4</c> (fast, the default), <c>brotli</c> (smaller, slower) or <c>none</c>.</summary>
    public string CompressionCodec { get; init; } = "lz4";

    /// <summary>Results at or above this size are streamed and stored as they come (hybrid: as a file; filesystem: uncompressed). Default 100 MB.</summary>
    public long StreamingThreshold { get; init; } = 100L * 1024 * 1024;

    /// <summary>The codec names accepted by <see cref="CompressionCodec"/>.</summary>
    public static IReadOnlyList<string> Codecs { get; } = ["lz4", "brotli", "none"];

    /// <summary>The write options a store opened with <paramref name="options"/> uses when a write names none.</summary>
    public static ResultWriteOptions From(StoreOptions options) => new()
    {
        Compression = options.Compression,
        CompressionCodec = options.CompressionCodec,
        StreamingThreshold = options.StreamingThreshold,
    };

    /// <summary>The codec and threshold as the stores apply them.</summary>
    /// <exception cref="StorageException">An unknown codec, or a threshold that is not positive.</exception>
    internal WriteSettings Resolve()
    {
        if (StreamingThreshold <= 0) throw new StorageException($"The streaming threshold must be positive, not {StreamingThreshold}.");
        return new WriteSettings(Compression ? StoreCodec.FromName(CompressionCodec?.Trim().ToLowerInvariant()) : StoreCodec.Raw, StreamingThreshold);
    }
}

/// <summary>The resolved form of <see cref="ResultWriteOptions"/> a store's write path reads.</summary>
/// <param name="Codec">The <see cref="StoreCodec"/> byte (raw when compression is off).</param>
/// <param name="StreamingThreshold">Results at or above this size are streamed.</param>
internal readonly record struct WriteSettings(byte Codec, long StreamingThreshold);
