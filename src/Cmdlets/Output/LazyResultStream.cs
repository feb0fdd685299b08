using VoxScheduler.Dag;
using VoxScheduler.Storage;

namespace VoxScheduler.Cmdlets.Output;

/// <summary>
/// A large result's bytes as a read-only stream that opens the store's verified stream on the
/// first read, so result objects that are never read hold no store handle. The first byte of
/// an encoded bytes value is its tag; the stream skips it and yields the raw bytes.
/// </summary>
public sealed class LazyResultStream : Stream
{
    private readonly IResultStore _store;
    private readonly NodeId _nodeId;
    private readonly long _encodedLength;
    private Stream? _inner;
    private long _position;

    internal LazyResultStream(IResultStore store, NodeId nodeId, long encodedLength)
    {
        _store = store;
        _nodeId = nodeId;
        _encodedLength = encodedLength;
    }

    /// <inheritdoc />
    public override bool CanRead => true;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override bool CanWrite => false;

    /// <inheritdoc />
    public override long Length => Math.Max(0, _encodedLength - 1);

    /// <inheritdoc />
    public override long Position { get => _position; set => throw new NotSupportedException(); }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        var inner = Open();
        var n = inner.Read(buffer);
        _position += n;
        return n;
    }

    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var inner = _inner ?? await OpenAsync(cancellationToken).ConfigureAwait(false);
        var n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        _position += n;
        return n;
    }

    /// <inheritdoc />
    public override void Flush() { }

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc />
    public override string ToString() => $"<stream of {Length} bytes>";

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) _inner?.Dispose();
        base.Dispose(disposing);
    }

    private Stream Open() => _inner ?? Task.Run(() => OpenAsync(CancellationToken.None).AsTask()).GetAwaiter().GetResult();

    private async ValueTask<Stream> OpenAsync(CancellationToken cancellationToken)
    {
        var stream = await _store.OpenReadAsync(_nodeId, cancellationToken).ConfigureAwait(false)
            ?? throw new StorageException("The result is no longer in the store.", _nodeId);
        var tag = new byte[1];
        if (await stream.ReadAsync(tag, cancellationToken).ConfigureAwait(false) != 1 || tag[0] != (byte)Values.ValueTag.Bytes)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw new StorageException("The stored result is not a bytes value.", _nodeId);
        }

        return _inner = stream;
    }
}
