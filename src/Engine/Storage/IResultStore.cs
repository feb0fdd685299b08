using VoxScheduler.Dag;

namespace VoxScheduler.Storage;

/// <summary>
/// The specification's StorageInterface: results keyed by node content id, plus the execution
/// history. Every implementation is thread-safe, verifies what it reads (a mismatch raises
/// <see cref="StorageCorruptionException"/> naming the node, never wrong bytes) and never
/// exposes a partially written result. Data passed to and returned from the store is the
/// encoded value (<see cref="Values.ValueCodec"/>); compression is the store's business.
/// </summary>
public interface IResultStore : IAsyncDisposable
{
    /// <summary><c>sqlite</c>, <c>filesystem</c>, <c>hybrid</c> (or another backend's name).</summary>
    string Backend { get; }

    /// <summary>The folder (or file) the store lives in.</summary>
    string Location { get; }

    /// <summary>
    /// Stores a result. Concurrent calls are committed together (group commit); the returned
    /// task completes when the result is durable. Returns false when a result with this id
    /// already existed (content addressing: it is the same value), true when it was written.
    /// </summary>
    ValueTask<bool> StoreAsync(NodeId nodeId, ReadOnlyMemory<byte> data, StorageMetadata metadata, CancellationToken cancellationToken = default);

    /// <summary>Starts a streamed write of a result whose size is not known in advance.</summary>
    ValueTask<IResultWriter> OpenWriteAsync(NodeId nodeId, StorageMetadata metadata, CancellationToken cancellationToken = default);

    /// <summary>The whole encoded value, or null when absent. Meant for results that fit in memory.</summary>
    ValueTask<byte[]?> RetrieveAsync(NodeId nodeId, CancellationToken cancellationToken = default);

    /// <summary>A read-only stream over the encoded value (verified as it is read), or null when absent.</summary>
    ValueTask<Stream?> OpenReadAsync(NodeId nodeId, CancellationToken cancellationToken = default);

    /// <summary>The encoded value in chunks of at most <paramref name="chunkSize"/> bytes; empty when absent.</summary>
    IAsyncEnumerable<ReadOnlyMemory<byte>> StreamAsync(NodeId nodeId, int chunkSize = 1024 * 1024, CancellationToken cancellationToken = default);

    /// <summary>True when a result exists.</summary>
    ValueTask<bool> ExistsAsync(NodeId nodeId, CancellationToken cancellationToken = default);

    /// <summary>Batched existence check: one answer per id, in order.</summary>
    ValueTask<bool[]> ExistsManyAsync(IReadOnlyList<NodeId> nodeIds, CancellationToken cancellationToken = default);

    /// <summary>Deletes a result; false when it did not exist.</summary>
    ValueTask<bool> DeleteAsync(NodeId nodeId, CancellationToken cancellationToken = default);

    /// <summary>Lists stored results lazily (a store with millions of results is never loaded whole).</summary>
    IAsyncEnumerable<StorageMetadata> ListAsync(ResultQuery? query = null, CancellationToken cancellationToken = default);

    /// <summary>Metadata without data, or null when absent.</summary>
    ValueTask<StorageMetadata?> GetMetadataAsync(NodeId nodeId, CancellationToken cancellationToken = default);

    /// <summary>Merges user metadata into a result's metadata (a null value removes a key); false when absent.</summary>
    ValueTask<bool> UpdateMetadataAsync(NodeId nodeId, IReadOnlyDictionary<string, object?> metadata, CancellationToken cancellationToken = default);

    /// <summary>Waits until every write accepted so far is durable.</summary>
    ValueTask FlushAsync(CancellationToken cancellationToken = default);

    /// <summary>Inserts or updates an execution's record.</summary>
    ValueTask RecordExecutionAsync(ExecutionRecord record, CancellationToken cancellationToken = default);

    /// <summary>Records the named nodes (goals, user labels) of an execution.</summary>
    ValueTask RecordNodeNamesAsync(string executionId, IReadOnlyList<ExecutionNodeName> names, CancellationToken cancellationToken = default);

    /// <summary>Appends failures and retries to the history.</summary>
    ValueTask RecordNodeHistoryAsync(NodeHistoryEntry entry, CancellationToken cancellationToken = default);

    /// <summary>One execution's record, or null.</summary>
    ValueTask<ExecutionRecord?> GetExecutionAsync(string executionId, CancellationToken cancellationToken = default);

    /// <summary>Past and current executions, newest first.</summary>
    IAsyncEnumerable<ExecutionRecord> ListExecutionsAsync(CancellationToken cancellationToken = default);

    /// <summary>The named nodes of an execution, in ordinal order.</summary>
    IAsyncEnumerable<ExecutionNodeName> ListExecutionNodesAsync(string executionId, CancellationToken cancellationToken = default);

    /// <summary>The failure and retry history of an execution.</summary>
    IAsyncEnumerable<NodeHistoryEntry> ListNodeHistoryAsync(string executionId, CancellationToken cancellationToken = default);

    /// <summary>Trims results by age and/or total size (least recently used first); safe while executions run.</summary>
    ValueTask<EvictionReport> EvictAsync(EvictionPolicy policy, CancellationToken cancellationToken = default);
}
