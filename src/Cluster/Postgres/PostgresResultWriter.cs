using Npgsql;
using VoxScheduler.Dag;
using VoxScheduler.Storage;

namespace VoxScheduler.Cluster.Postgres;

/// <summary>
/// A streamed write to a postgres store: chunks are inserted as they fill, inside one transaction
/// that also inserts the result row on commit, so nothing is visible before the commit and an
/// abandoned write leaves nothing behind (the transaction rolls back). When another writer
/// stored the same id first, this write rolls back and the stored result stands: ids are content
/// addresses, so both are the same value.
/// </summary>
internal sealed class PostgresResultWriter : IResultWriter
{
    private readonly PostgresResultStore _store;
    private readonly NodeId _nodeId;
    private readonly StorageMetadata _metadata;
    private readonly string? _json;
    private readonly byte _codec;
    private readonly byte[] _buffer = new byte[PostgresChunkEncoder.ChunkSize];
    private int _buffered;
    private PostgresChunkEncoder? _encoder;
    private NpgsqlConnection? _connection;
    private NpgsqlTransaction? _transaction;
    private NpgsqlCommand? _insertChunk;
    private long _blobId;
    private int _ordinal;
    private bool _finished;

    public PostgresResultWriter(PostgresResultStore store, NodeId nodeId, StorageMetadata metadata, string? json, byte codec)
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

    private async Task FlushChunkAsync(CancellationToken cancellationToken)
    {
        if (_connection is null)
        {
            // Images too (see PostgresResultStore.StoreCoreAsync); the encoder gives compression up when the first chunk does not shrink.
            _encoder = new PostgresChunkEncoder(_codec);
            _connection = await _store.OpenConnectionAsync(_nodeId, cancellationToken).ConfigureAwait(false);
            _transaction = await _connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (var next = new NpgsqlCommand($"SELECT nextval('{_store.Schema}.blob_ids')", _connection, _transaction))
            {
                _blobId = (long)(await next.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            }

            _insertChunk = PostgresResultStore.InsertChunkCommand(_store.Schema, _connection, _transaction);
        }

        var (stored, codec) = _encoder!.Encode(_buffer.AsMemory(0, _buffered));
        await PostgresResultStore.InsertChunkAsync(_insertChunk!, _blobId, _ordinal++, _buffered, codec, stored, cancellationToken).ConfigureAwait(false);
        _buffered = 0;
    }

    public async ValueTask<StorageMetadata> CommitAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        try
        {
            if (_connection is null)
            {
                // Everything fit in one buffer: store it like any result handed over whole.
                await _store.StoreAsync(_nodeId, _buffer.AsMemory(0, _buffered), _metadata, _codec, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                if (_buffered > 0) await FlushChunkAsync(cancellationToken).ConfigureAwait(false);
                var encoder = _encoder!;
                var row = new PostgresResultRow(_nodeId, _metadata, _json, encoder.Size, encoder.StoredSize,
                    encoder.AnyCompressed ? encoder.Codec : StoreCodec.Raw, encoder.ContentHash(), encoder.StoredHash(), _blobId, null);
                if (await _store.InsertRowAsync(_connection, _transaction!, row, cancellationToken).ConfigureAwait(false))
                {
                    await _transaction!.CommitAsync(cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await _transaction!.RollbackAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (NpgsqlException e)
        {
            throw new StorageException($"Storing result {_nodeId} in the postgres store '{_store.Location}' failed: {e.Message}", _nodeId, e);
        }
        finally
        {
            await DisposeAsync().ConfigureAwait(false);
        }

        return await _store.GetMetadataAsync(_nodeId, cancellationToken).ConfigureAwait(false)
            ?? throw new StorageException($"Result {_nodeId} was committed but is not in the postgres store '{_store.Location}' (deleted at once by another client?)", _nodeId);
    }

    public async ValueTask DisposeAsync()
    {
        if (_finished) return;
        _finished = true;
        if (_insertChunk is not null) await _insertChunk.DisposeAsync().ConfigureAwait(false);
        if (_transaction is not null) await _transaction.DisposeAsync().ConfigureAwait(false); // rolls back when not committed
        if (_connection is not null) await _connection.DisposeAsync().ConfigureAwait(false);
    }
}
