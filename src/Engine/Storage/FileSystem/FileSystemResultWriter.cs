using VoxScheduler.Dag;

namespace VoxScheduler.Storage;

/// <summary>A streamed write into the filesystem store: raw bytes into a temporary file, published on commit.</summary>
internal sealed class FileSystemResultWriter : IResultWriter
{
    private readonly FileSystemResultStore _store;
    private readonly NodeId _nodeId;
    private readonly StorageMetadata _metadata;
    private readonly DataFile _file;
    private bool _finished;

    public FileSystemResultWriter(FileSystemResultStore store, NodeId nodeId, StorageMetadata metadata, DataFile file)
    {
        _store = store;
        _nodeId = nodeId;
        _metadata = metadata;
        _file = file;
    }

    public long Length => _file.Length;

    public ValueTask WriteAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        return _file.WriteAsync(chunk, cancellationToken);
    }

    public async ValueTask<StorageMetadata> CommitAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        cancellationToken.ThrowIfCancellationRequested();
        var hash = _file.Hash;
        var hex = StoreHash.ToHex(hash);
        var metadata = new StorageMetadata
        {
            NodeId = _nodeId,
            DataType = _metadata.DataType,
            Size = _file.Length,
            StoredSize = _file.Length,
            ContentHash = hex,
            Checksum = hex,
            CreatedAt = _store.Now,
            DagId = _metadata.DagId,
            ExecutionId = _metadata.ExecutionId,
            Operator = _metadata.Operator,
            Metadata = _metadata.Metadata,
        };
        _store.Publish(_file, metadata, hash);
        _finished = true;
        await _file.DisposeAsync().ConfigureAwait(false);
        return await _store.GetMetadataAsync(_nodeId, cancellationToken).ConfigureAwait(false)
            ?? throw new StorageException("The result vanished right after it was committed (evicted concurrently)", _nodeId);
    }

    public ValueTask DisposeAsync()
    {
        _finished = true;
        return _file.DisposeAsync();
    }
}
