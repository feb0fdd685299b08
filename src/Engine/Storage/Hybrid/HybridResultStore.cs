using VoxScheduler.Dag;

namespace VoxScheduler.Storage;

/// <summary>
/// SQLite for metadata, history and results below <see cref="StoreOptions.StreamingThreshold"/>;
/// raw data files (in the store's <c>large</c> folder) for results at or above it, so large
/// objects are written and read at file speed while everything stays queryable in one place.
/// </summary>
public sealed class HybridResultStore : IResultStore, IResultBatchSink
{
    private readonly SqliteResultStore _inner;

    private HybridResultStore(SqliteResultStore inner) => _inner = inner;

    internal SqliteResultStore Inner => _inner;

    /// <summary>Opens (creating or migrating) the hybrid store in <paramref name="folder"/>.</summary>
    public static async ValueTask<HybridResultStore> OpenAsync(string folder, StoreOptions? options = null, CancellationToken cancellationToken = default)
        => new(await SqliteResultStore.OpenAsync(folder, "hybrid", options ?? new StoreOptions(), writesLargeFiles: true, cancellationToken).ConfigureAwait(false));

    /// <inheritdoc />
    public string Backend => _inner.Backend;

    /// <inheritdoc />
    public string Location => _inner.Location;

    /// <inheritdoc />
    public ValueTask<bool> StoreAsync(NodeId nodeId, ReadOnlyMemory<byte> data, StorageMetadata metadata, CancellationToken cancellationToken = default) => _inner.StoreAsync(nodeId, data, metadata, cancellationToken);

    /// <inheritdoc />
    public ValueTask<bool> StoreAsync(NodeId nodeId, ReadOnlyMemory<byte> data, StorageMetadata metadata, ResultWriteOptions options, CancellationToken cancellationToken = default)
        => _inner.StoreAsync(nodeId, data, metadata, options, cancellationToken);

    /// <inheritdoc />
    public ValueTask<IResultWriter> OpenWriteAsync(NodeId nodeId, StorageMetadata metadata, CancellationToken cancellationToken = default) => _inner.OpenWriteAsync(nodeId, metadata, cancellationToken);

    /// <inheritdoc />
    public ValueTask<IResultWriter> OpenWriteAsync(NodeId nodeId, StorageMetadata metadata, ResultWriteOptions options, CancellationToken cancellationToken = default)
        => _inner.OpenWriteAsync(nodeId, metadata, options, cancellationToken);

    /// <inheritdoc />
    public ValueTask<byte[]?> RetrieveAsync(NodeId nodeId, CancellationToken cancellationToken = default) => _inner.RetrieveAsync(nodeId, cancellationToken);

    /// <inheritdoc />
    public ValueTask<Stream?> OpenReadAsync(NodeId nodeId, CancellationToken cancellationToken = default) => _inner.OpenReadAsync(nodeId, cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerable<ReadOnlyMemory<byte>> StreamAsync(NodeId nodeId, int chunkSize = 1024 * 1024, CancellationToken cancellationToken = default) => StoreStreaming.StreamAsync(this, nodeId, chunkSize, cancellationToken);

    /// <inheritdoc />
    public ValueTask<bool> ExistsAsync(NodeId nodeId, CancellationToken cancellationToken = default) => _inner.ExistsAsync(nodeId, cancellationToken);

    /// <inheritdoc />
    public ValueTask<bool[]> ExistsManyAsync(IReadOnlyList<NodeId> nodeIds, CancellationToken cancellationToken = default) => _inner.ExistsManyAsync(nodeIds, cancellationToken);

    /// <inheritdoc />
    public ValueTask<bool> DeleteAsync(NodeId nodeId, CancellationToken cancellationToken = default) => _inner.DeleteAsync(nodeId, cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerable<StorageMetadata> ListAsync(ResultQuery? query = null, CancellationToken cancellationToken = default) => _inner.ListAsync(query, cancellationToken);

    /// <inheritdoc />
    public ValueTask<StorageMetadata?> GetMetadataAsync(NodeId nodeId, CancellationToken cancellationToken = default) => _inner.GetMetadataAsync(nodeId, cancellationToken);

    /// <inheritdoc />
    public ValueTask<bool> UpdateMetadataAsync(NodeId nodeId, IReadOnlyDictionary<string, object?> metadata, CancellationToken cancellationToken = default) => _inner.UpdateMetadataAsync(nodeId, metadata, cancellationToken);

    /// <inheritdoc />
    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => _inner.FlushAsync(cancellationToken);

    /// <inheritdoc />
    public ValueTask RecordExecutionAsync(ExecutionRecord record, CancellationToken cancellationToken = default) => _inner.RecordExecutionAsync(record, cancellationToken);

    /// <inheritdoc />
    public ValueTask RecordNodeNamesAsync(string executionId, IReadOnlyList<ExecutionNodeName> names, CancellationToken cancellationToken = default) => _inner.RecordNodeNamesAsync(executionId, names, cancellationToken);

    /// <inheritdoc />
    public ValueTask RecordNodeHistoryAsync(NodeHistoryEntry entry, CancellationToken cancellationToken = default) => _inner.RecordNodeHistoryAsync(entry, cancellationToken);

    /// <inheritdoc />
    public ValueTask<ExecutionRecord?> GetExecutionAsync(string executionId, CancellationToken cancellationToken = default) => _inner.GetExecutionAsync(executionId, cancellationToken);

    /// <inheritdoc />
    public ValueTask<bool> DeleteExecutionAsync(string executionId, CancellationToken cancellationToken = default) => _inner.DeleteExecutionAsync(executionId, cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerable<ExecutionRecord> ListExecutionsAsync(CancellationToken cancellationToken = default) => _inner.ListExecutionsAsync(cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerable<ExecutionNodeName> ListExecutionNodesAsync(string executionId, CancellationToken cancellationToken = default) => _inner.ListExecutionNodesAsync(executionId, cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerable<NodeHistoryEntry> ListNodeHistoryAsync(string executionId, CancellationToken cancellationToken = default) => _inner.ListNodeHistoryAsync(executionId, cancellationToken);

    /// <inheritdoc />
    public ValueTask<EvictionReport> EvictAsync(EvictionPolicy policy, CancellationToken cancellationToken = default) => _inner.EvictAsync(policy, cancellationToken);

    /// <inheritdoc />
    ResultBatch IResultBatchSink.CreateBatch(ResultWriteOptions options) => ((IResultBatchSink)_inner).CreateBatch(options);

    /// <inheritdoc />
    Task IResultBatchSink.StoreBatchAsync(ResultBatch batch) => ((IResultBatchSink)_inner).StoreBatchAsync(batch);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _inner.DisposeAsync();
}
