using VoxScheduler.Dag;

namespace VoxScheduler.Storage;

/// <summary>
/// A streamed write into the hybrid store. The size is unknown up front, so the first
/// chunk is kept in memory and the rest spills to a temporary file; at commit a result at
/// or above the streaming threshold becomes a data file (moved into place, raw), and a
/// smaller one goes into the database like any other result.
/// </summary>
internal sealed class HybridSpillWriter : IResultWriter
{
    private readonly SqliteResultStore _store;
    private readonly NodeId _nodeId;
    private readonly StorageMetadata _metadata;
    private readonly string? _json;
    private readonly byte[] _head;
    private int _headLength;
    private DataFile? _file;
    private bool _finished;

    public HybridSpillWriter(SqliteResultStore store, NodeId nodeId, StorageMetadata metadata, string? json)
    {
        _store = store;
        _nodeId = nodeId;
        _metadata = metadata;
        _json = json;
        _head = new byte[(int)Math.Min(SqliteRowBuilder.ChunkSize, Math.Max(1, store.Options.StreamingThreshold))];
    }

    public long Length { get; private set; }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        cancellationToken.ThrowIfCancellationRequested();
        if (_file is null)
        {
            var n = Math.Min(chunk.Length, _head.Length - _headLength);
            chunk[..n].CopyTo(_head.AsMemory(_headLength));
            _headLength += n;
            Length += n;
            chunk = chunk[n..];
            if (chunk.IsEmpty) return;
            _file = DataFile.Create(Path.Combine(_store.LargeFolder, "tmp"));
            await _file.WriteAsync(_head.AsMemory(0, _headLength), cancellationToken).ConfigureAwait(false);
        }

        await _file.WriteAsync(chunk, cancellationToken).ConfigureAwait(false);
        Length += chunk.Length;
    }

    public async ValueTask<StorageMetadata> CommitAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        if (_file is null)
        {
            await _store.StoreAsync(_nodeId, _head.AsMemory(0, _headLength), _metadata, cancellationToken).ConfigureAwait(false);
        }
        else if (Length >= _store.Options.StreamingThreshold)
        {
            var fileName = DataFile.FinalName(_nodeId);
            var path = _store.LargeFilePath(fileName);
            var hash = _file.Hash;
            _file.Publish(path);
            var row = SqliteRowBuilder.File(_nodeId, SqliteResultStore.RelativeLargeName(fileName), Length, hash, _metadata, _json, SqliteResultStore.Now());
            await _store.EnqueueAsync(new SqliteWriteOps.Store(row, path), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            // Smaller than the threshold after all: re-stream the spilled bytes into the database.
            var inner = new SqliteChunkWriter(_store, _nodeId, _metadata, _json);
            await using (inner.ConfigureAwait(false))
            {
                var source = _file.ReopenForRead();
                var buffer = new byte[SqliteRowBuilder.ChunkSize];
                int n;
                while ((n = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    await inner.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                }

                await inner.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        _finished = true;
        if (_file is not null) await _file.DisposeAsync().ConfigureAwait(false);
        return await _store.GetMetadataAsync(_nodeId, cancellationToken).ConfigureAwait(false)
            ?? throw new StorageException("The result vanished right after it was committed (evicted concurrently)", _nodeId);
    }

    public async ValueTask DisposeAsync()
    {
        _finished = true;
        if (_file is not null) await _file.DisposeAsync().ConfigureAwait(false);
    }
}
