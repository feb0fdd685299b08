namespace VoxScheduler.Storage;

/// <summary>
/// A store capability: many small results of one execution committed as one write, without a
/// task or a row object per result (the group commit that keeps a million-node run at disk
/// speed). The scheduler's persister asks a store for it with a type test and otherwise calls
/// <see cref="IStoredResults.StoreAsync(Dag.NodeId, ReadOnlyMemory{byte}, StorageMetadata, ResultWriteOptions, CancellationToken)"/> per result, so it never names a backend. The sqlite and
/// hybrid stores offer it; a batch is built on the caller's thread into exactly the rows
/// <see cref="IStoredResults.StoreAsync(Dag.NodeId, ReadOnlyMemory{byte}, StorageMetadata, ResultWriteOptions, CancellationToken)"/> would write.
/// </summary>
internal interface IResultBatchSink
{
    /// <summary>A new empty batch for this store whose results are stored as <paramref name="options"/> say; the caller reuses it after each commit.</summary>
    ResultBatch CreateBatch(ResultWriteOptions options);

    /// <summary>Writes the batch's results as one op; completes when they are durable. The batch must not change until then.</summary>
    Task StoreBatchAsync(ResultBatch batch);
}
