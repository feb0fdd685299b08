using System.Buffers;
using Microsoft.Data.Sqlite;
using VoxScheduler.Dag;

namespace VoxScheduler.Storage;

/// <summary>
/// Streams a chunked result inside one read transaction (a stable snapshot, so eviction or a
/// delete cannot pull chunks away mid-read). Raw chunks are read with incremental blob I/O
/// straight into the caller's buffer; compressed chunks are decompressed through a buffer.
/// Stored bytes are hashed as they are read and the call that completes the result verifies
/// the hash before it returns, so a damaged result ends in <see cref="StorageCorruptionException"/>.
/// </summary>
internal sealed class SqliteChunkReadStream : ReadOnlyStreamBase
{
    private readonly SqliteReadSession _session;
    private readonly Action<SqliteReadSession> _release;
    private readonly SqliteStoredRef _ref;
    private readonly NodeId _nodeId;
    private readonly StoreHasher _hasher = new();
    private SqliteBlob? _blob;
    private int _blobRemaining;
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
        try
        {
            if (_blobRemaining == 0 && _chunkOffset == _chunkLength)
            {
                if (_produced == _ref.Size) return 0;
                OpenNextChunk();
            }

            int n;
            if (_blobRemaining > 0)
            {
                n = _blob!.Read(buffer[..Math.Min(buffer.Length, _blobRemaining)]);
                if (n <= 0) throw new StorageCorruptionException($"Stored chunk {_sequence - 1} ended early", _nodeId);
                _hasher.Append(buffer[..n]);
                _blobRemaining -= n;
                _produced += n;
                if (_blobRemaining == 0) CloseBlob();
            }
            else
            {
                n = Math.Min(buffer.Length, _chunkLength - _chunkOffset);
                _chunk.AsSpan(_chunkOffset, n).CopyTo(buffer);
                _chunkOffset += n;
            }

            if (_produced == _ref.Size && _blobRemaining == 0 && _chunkOffset == _chunkLength) Verify();
            return n;
        }
        catch (SqliteException e)
        {
            throw SqliteStoreConnection.Translate(e, "chunk", _nodeId);
        }
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(buffer.Span));
    }

    private bool _verified;

    private void Verify()
    {
        if (_verified) return;
        if (!StoreHash.Finish(_hasher).AsSpan().SequenceEqual(_ref.StoredHash))
        {
            throw new StorageCorruptionException("Stored result failed its checksum", _nodeId);
        }

        _verified = true;
    }

    private void OpenNextChunk()
    {
        var sequence = _sequence++;
        var key = SqliteChunk.Key(_ref.BlobId, sequence);
        var info = _session.ChunkInfo(key)
            ?? throw new StorageCorruptionException($"Stored result is truncated: chunk {sequence} is missing after {_produced} of {_ref.Size} bytes", _nodeId);
        if (info.RawSize <= 0 || _produced + info.RawSize > _ref.Size)
        {
            throw new StorageCorruptionException($"Stored chunk {sequence} has a damaged length", _nodeId);
        }

        if (info.Codec == StoreCodec.Raw)
        {
            if (info.StoredLength != info.RawSize) throw new StorageCorruptionException($"Stored chunk {sequence} has {info.StoredLength} of {info.RawSize} bytes", _nodeId);
            _blob = _session.OpenChunk(key);
            _blobRemaining = info.RawSize;
            return;
        }

        var stored = ArrayPool<byte>.Shared.Rent(info.StoredLength);
        try
        {
            using (var blob = _session.OpenChunk(key))
            {
                blob.ReadExactly(stored, 0, info.StoredLength);
            }

            _hasher.Append(stored.AsSpan(0, info.StoredLength));
            if (_chunk.Length < info.RawSize) _chunk = new byte[Math.Max(info.RawSize, SqliteRowBuilder.ChunkSize)];
            if (!StoreCodec.TryDecompress(stored.AsSpan(0, info.StoredLength), info.Codec, _chunk.AsSpan(0, info.RawSize)))
            {
                throw new StorageCorruptionException($"Stored chunk {sequence} does not decompress", _nodeId);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(stored);
        }

        _chunkLength = info.RawSize;
        _chunkOffset = 0;
        _produced += info.RawSize;
    }

    /// <summary>Reads every chunk of a result into <paramref name="destination"/> (exactly its size), verifying it.</summary>
    public static void ReadAll(SqliteReadSession session, SqliteStoredRef storedRef, NodeId nodeId, Span<byte> destination)
    {
        using var stream = new SqliteChunkReadStream(session, static _ => { }, storedRef, nodeId);
        var filled = 0;
        while (filled < destination.Length)
        {
            var n = stream.Read(destination[filled..]);
            if (n == 0) break;
            filled += n;
        }

        if (filled != destination.Length || stream.Read(stackalloc byte[1]) != 0)
        {
            throw new StorageCorruptionException($"Stored result has a damaged length ({filled} of {destination.Length} bytes)", nodeId);
        }

        stream.Verify();
    }

    private void CloseBlob()
    {
        _blob?.Dispose();
        _blob = null;
    }

    protected override void Dispose(bool disposing)
    {
        if (!_released)
        {
            _released = true;
            CloseBlob();
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
