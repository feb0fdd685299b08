using VoxScheduler.Dag;

namespace VoxScheduler.Storage;

/// <summary>
/// The results half of a store (the specification's StorageInterface): encoded values keyed by
/// node content id. Every implementation is thread-safe, verifies what it reads (a mismatch
/// raises <see cref="StorageCorruptionException"/> naming the node, never wrong bytes) and never
/// exposes a partially written result. Data passed in and returned is the encoded value
/// (<see cref="Values.ValueCodec"/>); compression is the store's business, as its options or
/// a write's own <see cref="ResultWriteOptions"/> say.
/// </summary>
public interface IStoredResults
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
    /// <remarks>Stored as the store's own options (<see cref="StoreOptions"/>) say.</remarks>
    ValueTask<bool> StoreAsync(NodeId nodeId, ReadOnlyMemory<byte> data, StorageMetadata metadata, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores a result as <paramref name="options"/> say (compression, codec, streaming
    /// threshold), whatever options the store was opened with: an execution's own settings.
    /// Otherwise as <see cref="StoreAsync(NodeId, ReadOnlyMemory{byte}, StorageMetadata, CancellationToken)"/>.
    /// </summary>
    /// <exception cref="StorageException">An unknown codec or a threshold that is not positive.</exception>
    ValueTask<bool> StoreAsync(NodeId nodeId, ReadOnlyMemory<byte> data, StorageMetadata metadata, ResultWriteOptions options, CancellationToken cancellationToken = default);

    /// <summary>Starts a streamed write of a result whose size is not known in advance, stored as the store's own options say.</summary>
    ValueTask<IResultWriter> OpenWriteAsync(NodeId nodeId, StorageMetadata metadata, CancellationToken cancellationToken = default);

    /// <summary>Starts a streamed write stored as <paramref name="options"/> say (compression, codec, streaming threshold).</summary>
    /// <exception cref="StorageException">An unknown codec or a threshold that is not positive.</exception>
    ValueTask<IResultWriter> OpenWriteAsync(NodeId nodeId, StorageMetadata metadata, ResultWriteOptions options, CancellationToken cancellationToken = default);

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
}
