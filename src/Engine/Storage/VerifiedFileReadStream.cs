using VoxScheduler.Dag;

namespace VoxScheduler.Storage;

/// <summary>
/// Streams a raw data file, hashing as it goes. The bytes that complete the expected length
/// are checked before they are handed out, and a short or long file is reported, so a caller
/// never receives the end of a damaged result as if it were valid.
/// </summary>
internal sealed class VerifiedFileReadStream : ReadOnlyStreamBase
{
    private const int HashPiece = 512 * 1024;

    private readonly FileStream _file;
    private readonly long _expectedLength;
    private readonly byte[] _expectedHash;
    private readonly NodeId _nodeId;
    private readonly StoreHasher _hasher = new();
    private long _read;
    private bool _verified;

    private VerifiedFileReadStream(FileStream file, long expectedLength, byte[] expectedHash, NodeId nodeId)
    {
        _file = file;
        _expectedLength = expectedLength;
        _expectedHash = expectedHash;
        _nodeId = nodeId;
    }

    public override long Length => _expectedLength;

    /// <summary>Opens the file, or returns null when it is gone (deleted or evicted meanwhile).</summary>
    public static VerifiedFileReadStream? TryOpen(string path, long expectedLength, byte[] expectedHash, NodeId nodeId)
    {
        try
        {
            // FileShare.Delete: eviction may remove the file while we stream it.
            var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1, FileOptions.SequentialScan);
            return new VerifiedFileReadStream(file, expectedLength, expectedHash, nodeId);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }

    public override int Read(Span<byte> buffer)
    {
        if (_verified && _read == _expectedLength)
        {
            return CheckEnd(_file.Read(buffer.Length == 0 ? buffer : buffer[..1]));
        }

        if (buffer.IsEmpty) return 0;
        buffer = Limit(buffer);
        var total = 0;
        while (total < buffer.Length)
        {
            // Fill the caller's buffer in pieces that still sit in the core's cache when they are
            // hashed: one pass over memory for the copy, none for the hash.
            var piece = buffer.Slice(total, Math.Min(HashPiece, buffer.Length - total));
            var n = _file.Read(piece);
            Account(piece[..n]);
            total += n;
            if (n < piece.Length) break;
        }

        return total;
    }

    // Local files answer from the page cache in microseconds: reading synchronously is faster
    // than a thread-pool hop per call (what FileStream's async path does on Unix anyway).
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(buffer.Span));
    }

    private Span<byte> Limit(Span<byte> buffer) => buffer.Length > _expectedLength - _read ? buffer[..(int)(_expectedLength - _read)] : buffer;

    private int Account(ReadOnlySpan<byte> chunk)
    {
        if (chunk.IsEmpty && _read < _expectedLength)
        {
            throw new StorageCorruptionException($"Stored result is truncated: {_read} of {_expectedLength} bytes on disk", _nodeId);
        }

        _hasher.Append(chunk);
        _read += chunk.Length;
        if (_read == _expectedLength && !_verified)
        {
            if (!StoreHash.Finish(_hasher).AsSpan().SequenceEqual(_expectedHash))
            {
                throw new StorageCorruptionException("Stored result failed its checksum", _nodeId);
            }

            _verified = true;
        }

        return chunk.Length;
    }

    private int CheckEnd(int extra)
    {
        if (extra > 0) throw new StorageCorruptionException($"Stored result is longer than its recorded {_expectedLength} bytes", _nodeId);
        return 0;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _file.Dispose();
        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync()
    {
        Dispose(true);
        return ValueTask.CompletedTask;
    }
}
