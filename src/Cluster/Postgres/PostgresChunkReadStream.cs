using Npgsql;
using VoxScheduler.Dag;
using VoxScheduler.Storage;

namespace VoxScheduler.Cluster.Postgres;

/// <summary>
/// Reads a chunked result one chunk at a time inside one read-only REPEATABLE READ transaction,
/// so the reader sees a consistent snapshot even when the result is evicted or deleted while it
/// streams. Every chunk is checked against its recorded raw size and the whole content against its
/// hash; damage is reported naming the node, never served as data past the damaged chunk.
/// </summary>
internal sealed class PostgresChunkReadStream : ReadOnlyStreamBase
{
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;
    private readonly NpgsqlCommand _next;
    private readonly NodeId _nodeId;
    private readonly long _size;
    private readonly byte[] _expectedHash;
    private readonly Action<NodeId> _onDamage;
    private readonly StoreHasher _hasher = new();
    private byte[] _chunk = [];
    private int _chunkLength, _chunkOffset;
    private int _ordinal;
    private long _produced;
    private bool _disposed;

    public PostgresChunkReadStream(NpgsqlConnection connection, NpgsqlTransaction transaction, string schema, long blobId, NodeId nodeId, long size,
        byte[] expectedHash, Action<NodeId> onDamage)
    {
        _connection = connection;
        _transaction = transaction;
        _nodeId = nodeId;
        _size = size;
        _expectedHash = expectedHash;
        _onDamage = onDamage;
        _next = new NpgsqlCommand($"SELECT raw_size, codec, data FROM {schema}.chunks WHERE blob_id = $1 AND ordinal = $2", connection, transaction);
        _next.Parameters.AddWithValue(blobId);
        _next.Parameters.AddWithValue(0);
    }

    public override long Length => _size;

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (buffer.IsEmpty) return 0;
        if (_chunkOffset == _chunkLength)
        {
            if (_produced == _size)
            {
                Finish();
                return 0;
            }

            LoadNextChunk();
        }

        var n = Math.Min(buffer.Length, _chunkLength - _chunkOffset);
        _chunk.AsSpan(_chunkOffset, n).CopyTo(buffer);
        _chunkOffset += n;
        _produced += n;
        if (_produced == _size && _chunkOffset == _chunkLength) Finish();
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(buffer.Span));
    }

    private void LoadNextChunk()
    {
        _next.Parameters[1].Value = _ordinal;
        int rawSize;
        byte codec;
        byte[] stored;
        using (var reader = _next.ExecuteReader())
        {
            if (!reader.Read()) throw Damage($"Stored chunk {_ordinal} is missing ({_produced} of {_size} bytes read)");
            rawSize = reader.GetInt32(0);
            codec = (byte)reader.GetInt16(1);
            stored = (byte[])reader.GetValue(2);
        }

        if (rawSize <= 0 || rawSize > PostgresChunkEncoder.ChunkSize || _produced + rawSize > _size)
        {
            throw Damage($"Stored chunk {_ordinal} records {rawSize} bytes, which does not fit the result's {_size}");
        }

        if (_chunk.Length < rawSize) _chunk = GC.AllocateUninitializedArray<byte>(PostgresChunkEncoder.ChunkSize);
        if (!StoreCodec.TryDecompress(stored, codec, _chunk.AsSpan(0, rawSize)))
        {
            throw Damage($"Stored chunk {_ordinal} does not decode to its {rawSize} bytes");
        }

        _hasher.Append(_chunk.AsSpan(0, rawSize));
        _chunkLength = rawSize;
        _chunkOffset = 0;
        _ordinal++;
    }

    private bool _verified;

    private void Finish()
    {
        if (_verified) return;
        _verified = true;
        if (!_hasher.Finish().AsSpan().SequenceEqual(_expectedHash)) throw Damage("Stored result failed its checksum");
    }

    private StorageCorruptionException Damage(string message)
    {
        _onDamage(_nodeId);
        return new StorageCorruptionException(message, _nodeId);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            _next.Dispose();
            try
            {
                _transaction.Dispose();
            }
            finally
            {
                _connection.Dispose();
            }
        }

        base.Dispose(disposing);
    }
}
