namespace VoxScheduler.Server;

/// <summary>
/// A stored value's stream seen from after its tag byte: what a download serves. Length and
/// position are relative to the payload, so a seekable store stream keeps giving a correct
/// Content-Length (and range support) instead of announcing one byte too many.
/// </summary>
internal sealed class PayloadStream(Stream inner, long offset) : Stream
{
    public override bool CanRead => inner.CanRead;

    public override bool CanSeek => inner.CanSeek;

    public override bool CanWrite => false;

    public override long Length => inner.Length - offset;

    public override long Position
    {
        get => inner.Position - offset;
        set => inner.Position = value + offset;
    }

    public override int Read(byte[] buffer, int count, int length) => inner.Read(buffer, count, length);

    public override int Read(Span<byte> buffer) => inner.Read(buffer);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int index, int count, CancellationToken cancellationToken) =>
        inner.ReadAsync(buffer, index, count, cancellationToken);

    public override long Seek(long position, SeekOrigin origin) => origin switch
    {
        SeekOrigin.Begin => inner.Seek(position + offset, SeekOrigin.Begin) - offset,
        _ => inner.Seek(position, origin) - offset,
    };

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int index, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync() => inner.DisposeAsync();
}
