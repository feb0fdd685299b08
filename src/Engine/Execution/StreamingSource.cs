using VoxScheduler.Dag;
using VoxScheduler.Operations;
using VoxScheduler.Storage;
using VoxScheduler.Values;

namespace VoxScheduler.Execution;

/// <summary>
/// Where the nodes of one execution stream their outputs: one per execution, so a node that
/// never streams (nearly all of them) costs no per-node object; the node's
/// <see cref="StreamingContext"/> is created only when its operation opens the output.
/// </summary>
/// <remarks><paramref name="options"/>: how the execution's results are stored (null: as the store's options say).</remarks>
internal sealed class StreamingSource(IResultStore store, string? dagId, string? executionId, TimeProvider time, ResultWriteOptions? options = null)
    : IStreamingOutputSource
{
    public IStreamingOutputSession Create(NodeId nodeId, string? @operator) =>
        new StreamingContext(store, StorageMetadata.ForResult(nodeId, DataType.Binary, 0, @operator, dagId, executionId, time.GetUtcNow()), options);
}
