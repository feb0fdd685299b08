using VoxScheduler.Dag;

namespace VoxScheduler.Storage;

/// <summary>
/// A streamed write into the hybrid store, whose size is unknown up front. It writes into the
/// database (chunks) like the sqlite store; if the result reaches the streaming threshold,
/// what was written so far moves once into a temporary file and the rest goes straight to
/// it, and the commit publishes the file (raw) instead. Results below the threshold never
/// touch the file system; larger ones pay one extra pass over their first threshold bytes.
/// </summary>
internal sealed class HybridSpillWriter : IResultWriter
{
    private readonly SqliteResultStore _store;
    private readonly NodeId _nodeId;
    private readonly StorageMetadata _metadata;
    private readonly string? _json;
    private readonly SqliteChunkWriter _inner;
    private readonly long _threshold;
    private DataFile? _file;
    private bool _finished;

    public HybridSpillWriter(SqliteResultStore store, NodeId nodeId, StorageMetadata metadata, string? json, WriteSettings settings)
    {
        _threshold = settings.StreamingThreshold;
        _store = store;
        _nodeId = nodeId;
        _metadata = metadata;
        _json = json;
        _inner = new SqliteChunkWriter(store, nodeId, metadata, json, settings.Codec);
    }

    public long Length { get; private set; }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        cancellationToken.ThrowIfCancellationRequested();
        if (_file is null)
        {
            if (Length + chunk.Length < _threshold)
            {
                await _inner.WriteAsync(chunk, cancellationToken).ConfigureAwait(false);
                Length += chunk.Length;
                return;
            }

            _file = DataFile.Create(Path.Combine(_store.LargeFolder, "tmp"));
            await _inner.SpillToAsync(_file, cancellationToken).ConfigureAwait(false);
        }

        await _file.WriteAsync(chunk, cancellationToken).ConfigureAwait(false);
        Length += chunk.Length;
    }

    public async ValueTask<StorageMetadata> CommitAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        if (_file is null)
        {
            var committed = await _inner.CommitAsync(cancellationToken).ConfigureAwait(false);
            _finished = true;
            return committed;
        }

        var fileName = DataFile.FinalName(_nodeId);
        var path = _store.LargeFilePath(fileName);
        var hash = _file.Hash;
        _file.Publish(path);
        var row = SqliteRowBuilder.File(_nodeId, SqliteResultStore.RelativeLargeName(fileName), Length, hash, _metadata, _json, _store.Now());
        await _store.EnqueueAsync(new SqliteWriteOps.Store(row, path), cancellationToken).ConfigureAwait(false);
        _finished = true;
        await _file.DisposeAsync().ConfigureAwait(false);
        return await _store.GetMetadataAsync(_nodeId, cancellationToken).ConfigureAwait(false)
            ?? throw new StorageException("The result vanished right after it was committed (evicted concurrently)", _nodeId);
    }

    public async ValueTask DisposeAsync()
    {
        _finished = true;
        if (_file is not null) await _file.DisposeAsync().ConfigureAwait(false);
        else await _inner.DisposeAsync().ConfigureAwait(false);
    }
}
