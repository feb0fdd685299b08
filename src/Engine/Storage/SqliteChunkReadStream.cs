using System.IO.Hashing;
using VoxScheduler.Dag;

namespace VoxScheduler.Storage;

/// <summary>
/// Streams a chunked result inside one read transaction (a stable snapshot, so eviction or a
/// delete cannot pull chunks away mid-read). Stored bytes are hashed as they are read; the
/// chunk that completes the result is verified before any of its bytes are handed out.
/// </summary>
internal sealed class SqliteChunkReadStream : ReadOnlyStreamBase
{
    private readonly SqliteReadSession _session;
    private readonly Action<SqliteReadSession> _release;
    private readonly SqliteStoredRef _ref;
    private readonly NodeId _nodeId;
    private readonly XxHash128 _hasher = new();
    private byte[] _chunk = [];
    private int _chunkLength, _chunkOffset;
    private long _produced;
    private long _sequence;
    private bool _released;

    public SqliteChunkReadStream(SqliteReadSession session, Action<SqliteReadSession> release, SqliteStoredRef storedRef, NodeId nodeId)
    {
        _session = session;
        _release = release;
        _ref = storedRef;
        _nodeId = nodeId;
    }

    public override long Length => _ref.Size;

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_released, this);
        if (buffer.IsEmpty) return 0;
        if (_chunkOffset == _chunkLength)
        {
            if (_produced == _ref.Size) return 0;
            LoadNextChunk();
        }

        var n = Math.Min(buffer.Length, _chunkLength - _chunkOffset);
        _chunk.AsSpan(_chunkOffset, n).CopyTo(buffer);
        _chunkOffset += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(buffer.Span));
    }

    /// <summary>Reads every chunk of a result into <paramref name="destination"/> (exactly its size), verifying it.</summary>
    public static void ReadAll(SqliteReadSession session, SqliteStoredRef storedRef, NodeId nodeId, Span<byte> destination)
    {
        var hasher = new XxHash128();
        long produced = 0;
        for (long sequence = 0; produced < storedRef.Size; sequence++)
        {
            var chunk = session.ReadChunk(SqliteChunk.Key(storedRef.BlobId, sequence))
                ?? throw new StorageCorruptionException($"Stored result is truncated: chunk {sequence} is missing after {produced} of {storedRef.Size} bytes", nodeId);
            hasher.Append(chunk.Data);
            if (chunk.RawSize <= 0 || produced + chunk.RawSize > storedRef.Size
                || !StoreCodec.TryDecompress(chunk.Data, chunk.Codec, destination.Slice((int)produced, chunk.RawSize)))
            {
                throw new StorageCorruptionException($"Stored chunk {sequence} is damaged", nodeId);
            }

            produced += chunk.RawSize;
        }

        if (!StoreHash.Finish(hasher).AsSpan().SequenceEqual(storedRef.StoredHash))
        {
            throw new StorageCorruptionException("Stored result failed its checksum", nodeId);
        }
    }

    private void LoadNextChunk()
    {
        var sequence = _sequence++;
        var chunk = SqliteStoreConnection.Retry(() => _session.ReadChunk(SqliteChunk.Key(_ref.BlobId, sequence)), "chunk", _nodeId)
            ?? throw new StorageCorruptionException($"Stored result is truncated: chunk {sequence} is missing after {_produced} of {_ref.Size} bytes", _nodeId);
        _hasher.Append(chunk.Data);
        if (chunk.RawSize <= 0 || _produced + chunk.RawSize > _ref.Size)
        {
            throw new StorageCorruptionException($"Stored chunk {sequence} has a damaged length", _nodeId);
        }

        if (chunk.Codec == StoreCodec.Raw)
        {
            if (chunk.Data.Length != chunk.RawSize) throw new StorageCorruptionException($"Stored chunk {sequence} is damaged", _nodeId);
            _chunk = chunk.Data;
        }
        else
        {
            if (_chunk.Length < chunk.RawSize) _chunk = new byte[chunk.RawSize];
            if (!StoreCodec.TryDecompress(chunk.Data, chunk.Codec, _chunk.AsSpan(0, chunk.RawSize)))
            {
                throw new StorageCorruptionException($"Stored chunk {sequence} does not decompress", _nodeId);
            }
        }

        _chunkLength = chunk.RawSize;
        _chunkOffset = 0;
        _produced += chunk.RawSize;
        if (_produced == _ref.Size && !StoreHash.Finish(_hasher).AsSpan().SequenceEqual(_ref.StoredHash))
        {
            throw new StorageCorruptionException("Stored result failed its checksum", _nodeId);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (!_released)
        {
            _released = true;
            _release(_session);
        }

        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync()
    {
        Dispose(true);
        return ValueTask.CompletedTask;
    }
}
