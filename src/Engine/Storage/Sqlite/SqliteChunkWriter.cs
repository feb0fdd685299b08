using VoxScheduler.Dag;

namespace VoxScheduler.Storage;

/// <summary>
/// A streamed write into the sqlite store. Chunks are committed as they fill, under a blob id
/// marked pending (invisible to readers, collected if the process dies); a few chunks may be
/// in flight at once so producing and committing overlap while memory stays bounded.
/// CommitAsync publishes the result row in one transaction.
/// </summary>
internal sealed class SqliteChunkWriter : IResultWriter
{
    private const int MaxInFlight = 4;

    private readonly SqliteResultStore _store;
    private readonly NodeId _nodeId;
    private readonly StorageMetadata _metadata;
    private readonly string? _json;
    private readonly byte _codec;
    private readonly StoreHasher _content = new();
    private readonly Queue<Task<bool>> _inFlight = new();
    private StoreHasher? _stored;
    private byte[] _buffer = new byte[SqliteRowBuilder.ChunkSize];
    private int _buffered;
    private bool? _compressMode;
    private bool _anyCompressed;
    private long _blobId = -1;
    private long _sequence;
    private long _storedSize;
    private bool _finished;

    public SqliteChunkWriter(SqliteResultStore store, NodeId nodeId, StorageMetadata metadata, string? json, byte codec)
    {
        _codec = codec;
        _store = store;
        _nodeId = nodeId;
        _metadata = metadata;
        _json = json;
    }

    public long Length { get; private set; }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        while (!chunk.IsEmpty)
        {
            var n = Math.Min(chunk.Length, _buffer.Length - _buffered);
            chunk[..n].CopyTo(_buffer.AsMemory(_buffered));
            _buffered += n;
            Length += n;
            chunk = chunk[n..];
            if (_buffered == _buffer.Length) await FlushChunkAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask FlushChunkAsync(CancellationToken cancellationToken)
    {
        if (_blobId < 0) _blobId = await _store.EnqueueAsync(new SqliteWriteOps.AllocateBlob(), cancellationToken).ConfigureAwait(false);
        var raw = _buffer.AsMemory(0, _buffered);
        _content.Append(raw.Span);
        var codec = _codec;
        byte[]? compressed = null;
        if (_compressMode is null)
        {
            compressed = StoreCodec.TryCompress(raw.Span, codec);
            _compressMode = compressed is not null;
            if (compressed is not null) _stored = new StoreHasher();
        }
        else if (_compressMode == true)
        {
            compressed = StoreCodec.TryCompress(raw.Span, codec);
        }

        SqliteChunk chunk;
        if (compressed is not null)
        {
            _anyCompressed = true;
            chunk = new SqliteChunk(_buffered, codec, compressed);
        }
        else
        {
            // Hand the buffer itself to the writer and start a new one: no copy of raw chunks.
            chunk = new SqliteChunk(_buffered, StoreCodec.Raw, raw);
            _buffer = new byte[SqliteRowBuilder.ChunkSize];
        }

        _stored?.Append(chunk.Data.Span);
        _storedSize += chunk.Data.Length;
        _buffered = 0;
        _inFlight.Enqueue(_store.EnqueueAsync(new SqliteWriteOps.Chunk(SqliteChunk.Key(_blobId, _sequence++), chunk), cancellationToken));
        while (_inFlight.Count > MaxInFlight) await _inFlight.Dequeue().ConfigureAwait(false);
    }

    public async ValueTask<StorageMetadata> CommitAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        if (_blobId < 0)
        {
            // Everything fit in the first buffer: store it like any small result.
            await _store.StoreInDatabaseAsync(_nodeId, _buffer.AsMemory(0, _buffered), _metadata, _json, _codec, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            if (_buffered > 0) await FlushChunkAsync(cancellationToken).ConfigureAwait(false);
            while (_inFlight.Count > 0) await _inFlight.Dequeue().ConfigureAwait(false);
            var row = new SqliteResultRow
            {
                NodeId = _nodeId,
                DataType = _metadata.DataType,
                Size = Length,
                StoredSize = _storedSize,
                Compression = _anyCompressed ? _codec : StoreCodec.Raw,
                ContentHash = StoreHash.Finish(_content),
                Checksum = _stored is null ? null : StoreHash.Finish(_stored),
                CreatedAt = _store.Now(),
                DagId = _metadata.DagId,
                ExecutionId = _metadata.ExecutionId,
                Operator = _metadata.Operator,
                MetadataJson = _json,
                Location = SqliteResultRow.Chunks,
                BlobId = _blobId,
            };
            await _store.EnqueueAsync(new SqliteWriteOps.CommitBlob(row), cancellationToken).ConfigureAwait(false);
        }

        _finished = true;
        return await _store.GetMetadataAsync(_nodeId, cancellationToken).ConfigureAwait(false)
            ?? throw new StorageException("The result vanished right after it was committed (evicted concurrently)", _nodeId);
    }

    /// <summary>
    /// Moves everything written so far into <paramref name="file"/> (committed chunks are read
    /// back, the buffer appended) and discards the chunks: the hybrid store calls this when a
    /// streamed result turns out to reach the streaming threshold. The writer is finished after it.
    /// </summary>
    public async ValueTask SpillToAsync(DataFile file, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        while (_inFlight.Count > 0) await _inFlight.Dequeue().ConfigureAwait(false);
        if (_blobId >= 0)
        {
            var session = _store.RentReader();
            try
            {
                var raw = new byte[SqliteRowBuilder.ChunkSize];
                for (long sequence = 0; sequence < _sequence; sequence++)
                {
                    var key = SqliteChunk.Key(_blobId, sequence);
                    var info = session.ChunkInfo(key) ?? throw new StorageException($"Chunk {sequence} of a streamed write vanished before it was moved to a file", _nodeId);
                    var stored = new byte[info.StoredLength];
                    using (var blob = session.OpenChunk(key)) blob.ReadExactly(stored);
                    if (info.Codec == StoreCodec.Raw)
                    {
                        file.Write(stored);
                    }
                    else
                    {
                        if (!StoreCodec.TryDecompress(stored, info.Codec, raw.AsSpan(0, info.RawSize))) throw new StorageCorruptionException($"Chunk {sequence} of a streamed write does not decompress", _nodeId);
                        file.Write(raw.AsSpan(0, info.RawSize));
                    }
                }
            }
            finally
            {
                _store.ReturnReader(session);
            }

            await _store.EnqueueAsync(new SqliteWriteOps.DiscardBlob(_blobId), cancellationToken).ConfigureAwait(false);
        }

        file.Write(_buffer.AsSpan(0, _buffered));
        _finished = true;
    }

    public async ValueTask DisposeAsync()
    {
        if (_finished) return;
        _finished = true;
        if (_blobId < 0) return;
        while (_inFlight.Count > 0)
        {
            try
            {
                await _inFlight.Dequeue().ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The write is being abandoned; its chunks are discarded below either way.
            }
        }

        try
        {
            await _store.EnqueueAsync(new SqliteWriteOps.DiscardBlob(_blobId), CancellationToken.None).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            // Store closed first: the pending blob is collected on the next open.
        }
    }
}
