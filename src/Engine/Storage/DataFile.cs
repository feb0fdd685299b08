using VoxScheduler.Dag;

namespace VoxScheduler.Storage;

/// <summary>
/// A data file being written through a temporary file: bytes are hashed as they are written,
/// flushed to disk, then moved into place under a unique name, so a crash never leaves a
/// partial file under a name anyone reads, and two writers of the same result never clash.
/// </summary>
internal sealed class DataFile : IAsyncDisposable
{
    private readonly FileStream _stream;
    private readonly string _tempPath;
    private readonly StoreHasher _hasher = new();
    private bool _moved;

    private DataFile(FileStream stream, string tempPath)
    {
        _stream = stream;
        _tempPath = tempPath;
    }

    public long Length { get; private set; }

    public static DataFile Create(string tempFolder)
    {
        Directory.CreateDirectory(tempFolder);
        var path = Path.Combine(tempFolder, Guid.NewGuid().ToString("N") + ".tmp");
        var stream = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
        return new DataFile(stream, path);
    }

    /// <summary>A unique final file name for a result: id plus a random token.</summary>
    public static string FinalName(NodeId id) => $"{id}.{Guid.NewGuid():N}.data";

    public void Write(ReadOnlySpan<byte> data)
    {
        _hasher.Append(data);
        _stream.Write(data);
        Length += data.Length;
    }

    // Synchronous writes into the page cache; the disk is waited for once, at Publish (fsync).
    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Write(data.Span);
        return ValueTask.CompletedTask;
    }

    public byte[] Hash => StoreHash.Finish(_hasher);

    /// <summary>Flushes to disk and moves the file to <paramref name="finalPath"/> (which must not exist).</summary>
    public void Publish(string finalPath)
    {
        _stream.Flush(flushToDisk: true);
        _stream.Dispose();
        Directory.CreateDirectory(Path.GetDirectoryName(finalPath)!);
        File.Move(_tempPath, finalPath, overwrite: false);
        _moved = true;
    }

    public ValueTask DisposeAsync()
    {
        _stream.Dispose();
        if (!_moved)
        {
            try
            {
                File.Delete(_tempPath);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Deletes temporary files older than an hour (left by crashed writers; younger ones may belong to a live process).</summary>
    public static void SweepTemp(string tempFolder, DateTimeOffset now)
    {
        if (!Directory.Exists(tempFolder)) return;
        var cutoff = now.UtcDateTime.AddHours(-1);
        foreach (var file in Directory.EnumerateFiles(tempFolder, "*.tmp"))
        {
            try
            {
                if (File.GetLastWriteTimeUtc(file) < cutoff) File.Delete(file);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
