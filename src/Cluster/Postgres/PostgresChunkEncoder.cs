using VoxScheduler.Storage;

namespace VoxScheduler.Cluster.Postgres;

/// <summary>
/// Turns a large result into stored chunks of at most <see cref="ChunkSize"/> raw bytes, each
/// compressed on its own (so a reader decodes one chunk at a time), and keeps the hashes the
/// result row records: of the content (verified on every read) and of the stored bytes. As in
/// the sqlite store, compression is given up for the whole result when its first chunk does not
/// shrink (encoded images, already compressed data).
/// </summary>
internal sealed class PostgresChunkEncoder(byte codec)
{
    public const int ChunkSize = 1024 * 1024;

    private readonly StoreHasher _content = new();
    private readonly StoreHasher _stored = new();
    private bool _compressMode = codec != StoreCodec.Raw;
    private bool _first = true;

    public long Size { get; private set; }

    public long StoredSize { get; private set; }

    public bool AnyCompressed { get; private set; }

    public byte Codec => codec;

    /// <summary>Encodes one chunk of raw bytes; returns the bytes to store and the codec they are stored with.</summary>
    public (ReadOnlyMemory<byte> Stored, byte Codec) Encode(ReadOnlyMemory<byte> raw)
    {
        _content.Append(raw.Span);
        byte[]? compressed = null;
        if (_compressMode)
        {
            compressed = StoreCodec.TryCompress(raw.Span, codec);
            if (_first && compressed is null) _compressMode = false;
        }

        _first = false;
        ReadOnlyMemory<byte> stored = compressed ?? raw;
        _stored.Append(stored.Span);
        AnyCompressed |= compressed is not null;
        Size += raw.Length;
        StoredSize += stored.Length;
        return (stored, compressed is null ? StoreCodec.Raw : codec);
    }

    public byte[] ContentHash() => _content.Finish();

    /// <summary>The hash of the stored bytes when any chunk is compressed (otherwise it equals the content hash and is not kept).</summary>
    public byte[]? StoredHash() => AnyCompressed ? _stored.Finish() : null;
}
