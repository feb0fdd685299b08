namespace VoxScheduler.Operations;

/// <summary>
/// The executor's handle on one node's streaming output: the operation sees it only as an
/// <see cref="IStreamingOutput"/>; the executor commits it when the operation succeeds and
/// aborts it otherwise, so no partial result is ever left behind.
/// </summary>
internal interface IStreamingOutputSession : IStreamingOutput
{
    /// <summary>True once the operation opened the output.</summary>
    bool IsOpen { get; }

    /// <summary>Opens the output for the operation (at most once).</summary>
    ValueTask<IStreamingOutput> OpenForOperationAsync(CancellationToken cancellationToken);

    /// <summary>Makes what was written visible as the node's result.</summary>
    ValueTask CommitAsync(CancellationToken cancellationToken);

    /// <summary>Discards what was written (failure, cancellation, timeout).</summary>
    ValueTask AbortAsync();
}
