namespace VoxScheduler.Storage;

/// <summary>
/// A result being written chunk by chunk (streaming). Nothing is visible to readers until
/// <see cref="CommitAsync"/> succeeds; disposing without committing discards it, so a cancelled
/// or crashed write never leaves a partial result.
/// </summary>
public interface IResultWriter : IAsyncDisposable
{
    /// <summary>Bytes written so far.</summary>
    long Length { get; }

    /// <summary>Appends a chunk of the encoded value.</summary>
    ValueTask WriteAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken = default);

    /// <summary>Makes the result visible and durable; returns its final metadata.</summary>
    ValueTask<StorageMetadata> CommitAsync(CancellationToken cancellationToken = default);
}
