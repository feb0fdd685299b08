using VoxScheduler.Dag;
using VoxScheduler.Operations;
using VoxScheduler.Storage;
using VoxScheduler.Values;

namespace VoxScheduler.Execution;

/// <summary>
/// The streaming output of one node: every chunk goes straight through to the store's writer
/// (nothing is buffered whole, unlike the specification's sketch). The stored form is the
/// encoded bytes value, so the tag byte is written first. The result becomes visible only
/// on <see cref="CommitAsync"/>; <see cref="AbortAsync"/> (failure, cancellation, timeout)
/// discards it, so no partial result is ever left behind.
/// </summary>
internal sealed class StreamingContext : IStreamingOutputSession
{
    private readonly IResultStore _store;
    private readonly StorageMetadata _metadata;
    private readonly ResultWriteOptions? _options;
    private IResultWriter? _writer;
    private long _length;
    private bool _finished;

    /// <param name="store">The store the result is written to.</param>
    /// <param name="metadata">The result's metadata.</param>
    /// <param name="options">How the result is stored (an execution's own settings); null: as the store's options say.</param>
    public StreamingContext(IResultStore store, StorageMetadata metadata, ResultWriteOptions? options = null)
    {
        _options = options;
        _store = store;
        _metadata = metadata;
    }

    public NodeId NodeId => _metadata.NodeId;

    /// <summary>Raw bytes written by the operation (without the tag byte).</summary>
    public long Length => Volatile.Read(ref _length);

    /// <summary>True once the operation opened the output.</summary>
    public bool IsOpen => _writer is not null;

    public async ValueTask OpenAsync(CancellationToken cancellationToken)
    {
        if (_writer is not null)
        {
            throw new InvalidOperationException("The streaming output of a node can be opened only once.");
        }

        _writer = _options is null
            ? await _store.OpenWriteAsync(_metadata.NodeId, _metadata, cancellationToken).ConfigureAwait(false)
            : await _store.OpenWriteAsync(_metadata.NodeId, _metadata, _options, cancellationToken).ConfigureAwait(false);
        await _writer.WriteAsync(new[] { (byte)ValueTag.Bytes }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The delegate handed to <see cref="OperationContext"/>: opens the writer on first use.</summary>
    public async ValueTask<IStreamingOutput> OpenForOperationAsync(CancellationToken cancellationToken)
    {
        await OpenAsync(cancellationToken).ConfigureAwait(false);
        return this;
    }

    public async ValueTask WriteChunkAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken = default)
    {
        var writer = _writer ?? throw new InvalidOperationException("The streaming output is not open.");
        if (_finished) throw new InvalidOperationException("The streaming output is already finished.");
        await writer.WriteAsync(chunk, cancellationToken).ConfigureAwait(false);
        Interlocked.Add(ref _length, chunk.Length);
    }

    public async ValueTask<StorageMetadata> CommitAsync(CancellationToken cancellationToken)
    {
        var writer = _writer ?? throw new InvalidOperationException("The operation returned a streamed result without opening its output.");
        _finished = true;
        try
        {
            return await writer.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await writer.DisposeAsync().ConfigureAwait(false);
        }
    }

    async ValueTask IStreamingOutputSession.CommitAsync(CancellationToken cancellationToken) => await CommitAsync(cancellationToken).ConfigureAwait(false);

    public async ValueTask AbortAsync()
    {
        if (_writer is { } writer && !_finished)
        {
            _finished = true;
            // Disposing an uncommitted writer discards what was written (IResultWriter contract).
            await writer.DisposeAsync().ConfigureAwait(false);
        }
    }
}
