using VoxScheduler.Dag;
using VoxScheduler.Values;

namespace VoxScheduler.Storage;

/// <summary>
/// Small results of one execution on their way to an <see cref="IResultBatchSink"/>, in the
/// sink's own packed form. Adding a result allocates nothing once the batch has grown, so
/// batches are reused.
/// </summary>
internal abstract class ResultBatch
{
    /// <summary>Results the batch holds.</summary>
    public abstract int Count { get; }

    /// <summary>Empties the batch for the results of <paramref name="executionId"/>, stamped now by the store's clock.</summary>
    public abstract void Reset(string? dagId, string? executionId);

    /// <summary>
    /// Adds an encoded result; false when the store keeps a result of this size some other way
    /// (chunks, a data file): the caller then stores it with <see cref="IStoredResults.StoreAsync(Dag.NodeId, ReadOnlyMemory{byte}, StorageMetadata, ResultWriteOptions, CancellationToken)"/>.
    /// </summary>
    public abstract bool TryAdd(NodeId nodeId, ReadOnlySpan<byte> data, DataType dataType, string? @operator);
}
