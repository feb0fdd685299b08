namespace VoxScheduler.Storage;

/// <summary>How a store is opened (the storage part of the specification's ExecutionConfig).</summary>
public sealed record StoreOptions
{
    /// <summary>Compress stored results (incompressible data is stored raw regardless).</summary>
    public bool Compression { get; init; } = true;

    /// <summary>The codec used when <see cref="Compression"/> is on: <c>lz4</c> (fast, the default) or <c>brotli</c> (smaller, slower).</summary>
    public string CompressionCodec { get; init; } = "lz4";

    /// <summary>Results at or above this size are streamed and (hybrid) kept in files. Default 100 MB as specified.</summary>
    public long StreamingThreshold { get; init; } = 100L * 1024 * 1024;

    /// <summary>Results up to this size are stored inline (sqlite) rather than chunked.</summary>
    public int InlineThreshold { get; init; } = 64 * 1024;

    /// <summary>
    /// Reads refresh a result's LastAccessedAt only when it is older than this, so reading is
    /// not a write per read; eviction by age or LRU works at this resolution. Default one minute.
    /// </summary>
    public TimeSpan AccessTimeResolution { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The store's clock: creation and access times, eviction by age, the age of abandoned
    /// files. Tests pass a fake one instead of waiting for the wall clock to move.
    /// </summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Open read-only (no writes, no schema migration).</summary>
    public bool ReadOnly { get; init; }
}
