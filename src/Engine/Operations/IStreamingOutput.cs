namespace VoxScheduler.Operations;

/// <summary>
/// Where a streaming operation writes its result chunk by chunk; each chunk goes straight
/// through to the store (nothing is buffered whole). The operation then returns
/// <see cref="OperationResult.Streamed"/>. The written bytes are the raw bytes of a bytes value.
/// </summary>
public interface IStreamingOutput
{
    /// <summary>Bytes written so far.</summary>
    long Length { get; }

    /// <summary>Appends a chunk.</summary>
    ValueTask WriteChunkAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken = default);
}
