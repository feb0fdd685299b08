using System.Runtime.CompilerServices;
using System.Text.Json;
using VoxScheduler.Dag;

namespace VoxScheduler.Storage;

/// <summary>
/// Results as files: per result a data file and a metadata JSON file, in folders sharded by
/// id prefix (<c>results/ab/cd/</c>). Data is written to a temporary file, flushed and moved
/// into place; the metadata file is created last, atomically and only if absent, and is the
/// commit point, so a crash never exposes a partial result and two writers never clash.
/// </summary>
public sealed class FileSystemResultStore : IResultStore
{
    internal const string FormatFile = "fsstore.json";
    private const int FormatVersion = 1;

    private readonly StoreOptions _options;
    private readonly TimeProvider _time;
    private readonly WriteSettings _defaults;
    private readonly string _results;
    private readonly string _temp;
    private readonly FileSystemExecutionLog _executions;
    private readonly AccessTracker? _access;
    private readonly Lock[] _locks = Enumerable.Range(0, 64).Select(_ => new Lock()).ToArray();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, Task> _inFlight = new();
    private long _writeSequence;
    private int _disposed;

    private FileSystemResultStore(string folder, StoreOptions options)
    {
        Location = folder;
        _options = options;
        _time = options.TimeProvider;
        _defaults = ResultWriteOptions.From(options).Resolve();
        _results = Path.Combine(folder, "results");
        _temp = Path.Combine(folder, "tmp");
        _executions = new FileSystemExecutionLog(Path.Combine(folder, "executions"));
        if (!options.ReadOnly) _access = new AccessTracker(TouchFiles);
    }

    /// <inheritdoc />
    public string Backend => "filesystem";

    /// <inheritdoc />
    public string Location { get; }

    /// <summary>Opens (creating if needed) the filesystem store in <paramref name="folder"/>.</summary>
    public static ValueTask<FileSystemResultStore> OpenAsync(string folder, StoreOptions? options = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        options ??= new StoreOptions();
        var formatPath = Path.Combine(folder, FormatFile);
        if (File.Exists(formatPath))
        {
            int version;
            try
            {
                using var document = JsonDocument.Parse(File.ReadAllBytes(formatPath));
                version = document.RootElement.GetProperty("version").GetInt32();
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new StorageException($"'{formatPath}' is damaged; it is not a readable filesystem store marker: {e.Message}", null, e);
            }

            if (version > FormatVersion)
            {
                throw new StorageException($"The filesystem store '{folder}' has format version {version}, newer than this VoxScheduler understands (up to {FormatVersion}).");
            }
        }
        else if (options.ReadOnly)
        {
            throw new StorageException($"There is no filesystem store at '{folder}' to open read-only.");
        }
        else
        {
            Directory.CreateDirectory(folder);
            var temp = Path.Combine(folder, $".{Guid.NewGuid():N}.tmp");
            File.WriteAllText(temp, $$"""{"format":"voxscheduler-filesystem-store","version":{{FormatVersion}}}""");
            try
            {
                File.Move(temp, formatPath, overwrite: false);
            }
            catch (IOException) when (File.Exists(formatPath))
            {
                File.Delete(temp); // another process created it first
            }
        }

        var store = new FileSystemResultStore(folder, options);
        if (!options.ReadOnly) DataFile.SweepTemp(store._temp, store.Now);
        return ValueTask.FromResult(store);
    }

    private Lock LockFor(NodeId id) => _locks[(uint)id.GetHashCode() % (uint)_locks.Length];

    private string ShardOf(NodeId id)
    {
        var hex = id.ToString();
        return Path.Combine(_results, hex[..2], hex[2..4]);
    }

    private string MetaPath(NodeId id) => Path.Combine(ShardOf(id), id + ".json");

    /// <inheritdoc />
    public ValueTask<bool> StoreAsync(NodeId nodeId, ReadOnlyMemory<byte> data, StorageMetadata metadata, CancellationToken cancellationToken = default)
        => StoreAsync(nodeId, data, metadata, _defaults, cancellationToken);

    /// <inheritdoc />
    public ValueTask<bool> StoreAsync(NodeId nodeId, ReadOnlyMemory<byte> data, StorageMetadata metadata, ResultWriteOptions options, CancellationToken cancellationToken = default)
        => StoreAsync(nodeId, data, metadata, options.Resolve(), cancellationToken);

    private async ValueTask<bool> StoreAsync(NodeId nodeId, ReadOnlyMemory<byte> data, StorageMetadata metadata, WriteSettings settings, CancellationToken cancellationToken)
    {
        Writable(cancellationToken);
        var task = StoreCoreAsync(nodeId, data, metadata, settings, cancellationToken);
        var key = Interlocked.Increment(ref _writeSequence);
        _inFlight[key] = task;
        try
        {
            return await task.ConfigureAwait(false);
        }
        finally
        {
            _inFlight.TryRemove(key, out _);
        }
    }

    private async Task<bool> StoreCoreAsync(NodeId nodeId, ReadOnlyMemory<byte> data, StorageMetadata metadata, WriteSettings settings, CancellationToken cancellationToken)
    {
        UserMetadataJson.Serialize(metadata.Metadata);
        var metaPath = MetaPath(nodeId);
        if (File.Exists(metaPath)) return false;

        var hash = StoreHash.Compute(data.Span);
        var codec = StoreCodec.ForValue(data.Span, settings.Codec);
        var compressed = data.Length < settings.StreamingThreshold ? StoreCodec.TryCompress(data.Span, codec) : null;
        ReadOnlyMemory<byte> stored = compressed ?? data;
        await using var file = DataFile.Create(_temp);
        await file.WriteAsync(stored, cancellationToken).ConfigureAwait(false);
        var storedHash = compressed is null ? hash : file.Hash;
        var final = new StorageMetadata
        {
            NodeId = nodeId,
            DataType = metadata.DataType,
            Size = data.Length,
            StoredSize = stored.Length,
            Compression = compressed is null ? null : StoreCodec.Name(codec),
            ContentHash = StoreHash.ToHex(hash),
            Checksum = StoreHash.ToHex(storedHash),
            CreatedAt = Now,
            DagId = metadata.DagId,
            ExecutionId = metadata.ExecutionId,
            Operator = metadata.Operator,
            Metadata = metadata.Metadata,
        };
        return Publish(file, final, storedHash);
    }

    /// <summary>Moves a written data file into place and commits its metadata; false when the result already existed.</summary>
    internal bool Publish(DataFile file, StorageMetadata metadata, byte[] storedHash)
    {
        var nodeId = metadata.NodeId;
        var metaPath = MetaPath(nodeId);
        if (File.Exists(metaPath)) return false;
        var dataName = DataFile.FinalName(nodeId);
        var dataPath = Path.Combine(ShardOf(nodeId), dataName);
        file.Publish(dataPath);
        var metaTemp = Path.Combine(_temp, $"{Guid.NewGuid():N}.tmp");
        File.WriteAllBytes(metaTemp, new FileSystemMetadata(metadata, dataName, storedHash).ToJson());
        // The metadata file's time is the result's last access (LRU): it starts at creation, by the store's clock.
        File.SetLastWriteTimeUtc(metaTemp, metadata.CreatedAt.UtcDateTime);
        lock (LockFor(nodeId))
        {
            try
            {
                // The commit point: create-if-absent is atomic, so of two writers exactly one wins.
                File.Move(metaTemp, metaPath, overwrite: false);
                return true;
            }
            catch (IOException) when (File.Exists(metaPath))
            {
                TryDelete(metaTemp);
                TryDelete(dataPath);
                return false;
            }
        }
    }

    /// <inheritdoc />
    public ValueTask<IResultWriter> OpenWriteAsync(NodeId nodeId, StorageMetadata metadata, ResultWriteOptions options, CancellationToken cancellationToken = default)
    {
        // A streamed write is stored as it comes, uncompressed, whatever the options; they are still checked.
        options.Resolve();
        return OpenWriteAsync(nodeId, metadata, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<IResultWriter> OpenWriteAsync(NodeId nodeId, StorageMetadata metadata, CancellationToken cancellationToken = default)
    {
        Writable(cancellationToken);
        UserMetadataJson.Serialize(metadata.Metadata);
        return ValueTask.FromResult<IResultWriter>(new FileSystemResultWriter(this, nodeId, metadata, DataFile.Create(_temp)));
    }

    /// <summary>Reads and parses a result's metadata file; null when absent.</summary>
    private FileSystemMetadata? ReadMeta(NodeId nodeId)
    {
        var path = MetaPath(nodeId);
        byte[] bytes;
        DateTime accessed;
        try
        {
            bytes = File.ReadAllBytes(path);
            accessed = File.GetLastWriteTimeUtc(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        return FileSystemMetadata.Parse(bytes, nodeId, new DateTimeOffset(accessed, TimeSpan.Zero));
    }

    /// <inheritdoc />
    public async ValueTask<byte[]?> RetrieveAsync(NodeId nodeId, CancellationToken cancellationToken = default)
    {
        Readable(cancellationToken);
        try
        {
            var meta = ReadMeta(nodeId);
            if (meta is null) return null;
            await using var stream = OpenData(nodeId, meta);
            if (stream is null) return null;
            var stored = GC.AllocateUninitializedArray<byte>(checked((int)meta.Metadata.StoredSize));
            await stream.ReadExactlyAsync(stored, cancellationToken).ConfigureAwait(false);
            if (await stream.ReadAsync(new byte[1], cancellationToken).ConfigureAwait(false) != 0)
            {
                throw new StorageCorruptionException("Stored result is longer than recorded", nodeId);
            }

            Touch(meta);
            return Decode(nodeId, meta, stored);
        }
        catch (StorageCorruptionException)
        {
            Quarantine(nodeId);
            throw;
        }
        catch (EndOfStreamException e)
        {
            Quarantine(nodeId);
            throw new StorageCorruptionException("Stored result is truncated", nodeId, e);
        }
    }

    private void Touch(FileSystemMetadata meta)
    {
        if (_access is not null && Now - meta.Metadata.LastAccessedAt >= _options.AccessTimeResolution) _access.Touch(meta.Metadata.NodeId);
    }

    private static byte[] Decode(NodeId nodeId, FileSystemMetadata meta, byte[] stored)
    {
        var codec = StoreCodec.FromName(meta.Metadata.Compression);
        if (codec == StoreCodec.Raw) return stored;
        var result = GC.AllocateUninitializedArray<byte>(checked((int)meta.Metadata.Size));
        if (!StoreCodec.TryDecompress(stored, codec, result)) throw new StorageCorruptionException("Stored result does not decompress", nodeId);
        return result;
    }

    private VerifiedFileReadStream? OpenData(NodeId nodeId, FileSystemMetadata meta)
    {
        var path = Path.Combine(ShardOf(nodeId), meta.DataFile);
        var stream = VerifiedFileReadStream.TryOpen(path, meta.Metadata.StoredSize, meta.StoredHash, nodeId);
        if (stream is null && File.Exists(MetaPath(nodeId)))
        {
            throw new StorageCorruptionException($"The data file '{meta.DataFile}' of a stored result is missing", nodeId);
        }

        return stream;
    }

    /// <summary>Removes a result found damaged, so its recomputed value can be stored again.</summary>
    private void Quarantine(NodeId nodeId)
    {
        if (_options.ReadOnly) return;
        try
        {
            DeleteFiles(nodeId);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: the caller already has the corruption error.
        }
    }

    /// <inheritdoc />
    public async ValueTask<Stream?> OpenReadAsync(NodeId nodeId, CancellationToken cancellationToken = default)
    {
        Readable(cancellationToken);
        try
        {
            var meta = ReadMeta(nodeId);
            if (meta is null) return null;
            if (meta.Metadata.Compression is not null)
            {
                var bytes = await RetrieveAsync(nodeId, cancellationToken).ConfigureAwait(false);
                return bytes is null ? null : new MemoryStream(bytes, writable: false);
            }

            var stream = OpenData(nodeId, meta);
            if (stream is not null) Touch(meta);
            return stream;
        }
        catch (StorageCorruptionException)
        {
            Quarantine(nodeId);
            throw;
        }
    }

    /// <inheritdoc />
    public IAsyncEnumerable<ReadOnlyMemory<byte>> StreamAsync(NodeId nodeId, int chunkSize = 1024 * 1024, CancellationToken cancellationToken = default)
        => StoreStreaming.StreamAsync(this, nodeId, chunkSize, cancellationToken);

    /// <inheritdoc />
    public ValueTask<bool> ExistsAsync(NodeId nodeId, CancellationToken cancellationToken = default)
    {
        Readable(cancellationToken);
        return ValueTask.FromResult(File.Exists(MetaPath(nodeId)));
    }

    /// <inheritdoc />
    public ValueTask<bool[]> ExistsManyAsync(IReadOnlyList<NodeId> nodeIds, CancellationToken cancellationToken = default)
    {
        Readable(cancellationToken);
        var answers = new bool[nodeIds.Count];
        // One stat per id is the filesystem's unit of work; spread large batches over the cores.
        if (answers.Length < 256)
        {
            for (var i = 0; i < answers.Length; i++) answers[i] = File.Exists(MetaPath(nodeIds[i]));
        }
        else
        {
            Parallel.For(0, answers.Length, new ParallelOptions { CancellationToken = cancellationToken }, i => answers[i] = File.Exists(MetaPath(nodeIds[i])));
        }

        return ValueTask.FromResult(answers);
    }

    /// <inheritdoc />
    public ValueTask<bool> DeleteAsync(NodeId nodeId, CancellationToken cancellationToken = default)
    {
        Writable(cancellationToken);
        return ValueTask.FromResult(DeleteFiles(nodeId) is not null);
    }

    /// <summary>Deletes metadata first (un-committing the result), then the data file; returns the stored size, or null when absent.</summary>
    private long? DeleteFiles(NodeId nodeId)
    {
        lock (LockFor(nodeId))
        {
            var metaPath = MetaPath(nodeId);
            FileSystemMetadata? meta = null;
            try
            {
                meta = ReadMeta(nodeId);
            }
            catch (StorageCorruptionException)
            {
                // Damaged metadata: delete it anyway, and every data file of this node below.
            }

            if (!File.Exists(metaPath)) return null;
            File.Delete(metaPath);
            if (meta is not null)
            {
                TryDelete(Path.Combine(ShardOf(nodeId), meta.DataFile));
                return meta.Metadata.StoredSize;
            }

            foreach (var file in Directory.EnumerateFiles(ShardOf(nodeId), nodeId + ".*.data")) TryDelete(file);
            return 0;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StorageMetadata> ListAsync(ResultQuery? query = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        query ??= ResultQuery.All;
        var remaining = query.Limit > 0 ? query.Limit : long.MaxValue;
        HashSet<NodeId>? seen = null;
        if (query.ExecutionId is not null)
        {
            seen = [];
            // The names of an execution of the DAG are the DAG's results too, whoever produced them.
            var ofDag = query.DagId is null || _executions.Get(query.ExecutionId)?.DagId == query.DagId;
            foreach (var name in _executions.Names(query.ExecutionId))
            {
                if (remaining == 0) yield break;
                if (!seen.Add(name.NodeId) || await TryGetMetadata(name.NodeId) is not { } meta) continue;
                if (!ofDag && meta.DagId != query.DagId) continue;
                remaining--;
                yield return meta;
            }
        }
        else if (query.DagId is not null)
        {
            // The results the DAG's executions reused from the store (named in their history), then those it produced.
            seen = [];
            foreach (var record in _executions.List())
            {
                if (record.DagId != query.DagId) continue;
                foreach (var name in _executions.Names(record.ExecutionId))
                {
                    if (remaining == 0) yield break;
                    if (!seen.Add(name.NodeId) || await TryGetMetadata(name.NodeId) is not { } meta) continue;
                    remaining--;
                    yield return meta;
                }
            }
        }

        foreach (var (id, _) in EnumerateMetaFiles())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (remaining == 0) yield break;
            if (seen is not null && seen.Contains(id)) continue;
            if (await TryGetMetadata(id) is not { } meta) continue;
            if (query.DagId is not null && meta.DagId != query.DagId) continue;
            if (query.ExecutionId is not null && meta.ExecutionId != query.ExecutionId) continue;
            remaining--;
            yield return meta;
        }
    }

    // Listing skips results that vanish or are damaged mid-scan rather than failing the whole listing.
    private async ValueTask<StorageMetadata?> TryGetMetadata(NodeId id)
    {
        try
        {
            return await GetMetadataAsync(id).ConfigureAwait(false);
        }
        catch (StorageCorruptionException)
        {
            return null;
        }
    }

    private IEnumerable<(NodeId Id, string Path)> EnumerateMetaFiles()
    {
        if (!Directory.Exists(_results)) yield break;
        foreach (var path in Directory.EnumerateFiles(_results, "*.json", SearchOption.AllDirectories))
        {
            var name = Path.GetFileName(path);
            if (name.Length == NodeId.HexLength + 5 && NodeId.TryParse(name.AsSpan(0, NodeId.HexLength), out var id)) yield return (id, path);
        }
    }

    /// <inheritdoc />
    public ValueTask<StorageMetadata?> GetMetadataAsync(NodeId nodeId, CancellationToken cancellationToken = default)
    {
        Readable(cancellationToken);
        return ValueTask.FromResult(ReadMeta(nodeId)?.Metadata);
    }

    /// <inheritdoc />
    public ValueTask<bool> UpdateMetadataAsync(NodeId nodeId, IReadOnlyDictionary<string, object?> metadata, CancellationToken cancellationToken = default)
    {
        Writable(cancellationToken);
        UserMetadataJson.Serialize(metadata);
        lock (LockFor(nodeId))
        {
            var meta = ReadMeta(nodeId);
            if (meta is null) return ValueTask.FromResult(false);
            var merged = UserMetadataJson.Merge(meta.Metadata.Metadata, metadata);
            var updated = meta with { Metadata = meta.Metadata with { Metadata = merged } };
            var temp = Path.Combine(_temp, $"{Guid.NewGuid():N}.tmp");
            Directory.CreateDirectory(_temp);
            File.WriteAllBytes(temp, updated.ToJson());
            File.Move(temp, MetaPath(nodeId), overwrite: true);
            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc />
    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        // Each write is durable when its own call completes; flushing waits for those in progress.
        Readable(cancellationToken);
        var pending = _inFlight.Values.ToArray();
        try
        {
            await Task.WhenAll(pending).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // A failed write reports to its own caller; flushing only waits for it to settle.
        }
    }

    /// <inheritdoc />
    public ValueTask RecordExecutionAsync(ExecutionRecord record, CancellationToken cancellationToken = default)
    {
        Writable(cancellationToken);
        _executions.Record(record);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask RecordNodeNamesAsync(string executionId, IReadOnlyList<ExecutionNodeName> names, CancellationToken cancellationToken = default)
    {
        Writable(cancellationToken);
        _executions.AppendNames(executionId, names);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask RecordNodeHistoryAsync(NodeHistoryEntry entry, CancellationToken cancellationToken = default)
    {
        Writable(cancellationToken);
        _executions.AppendHistory(entry);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<bool> DeleteExecutionAsync(string executionId, CancellationToken cancellationToken = default)
    {
        Writable(cancellationToken);
        return ValueTask.FromResult(_executions.Delete(executionId));
    }

    /// <inheritdoc />
    public ValueTask<ExecutionRecord?> GetExecutionAsync(string executionId, CancellationToken cancellationToken = default)
    {
        Readable(cancellationToken);
        return ValueTask.FromResult(_executions.Get(executionId));
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ExecutionRecord> ListExecutionsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Readable(cancellationToken);
        foreach (var record in _executions.List()) yield return record;
        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ExecutionNodeName> ListExecutionNodesAsync(string executionId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Readable(cancellationToken);
        foreach (var name in _executions.Names(executionId)) yield return name;
        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<NodeHistoryEntry> ListNodeHistoryAsync(string executionId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Readable(cancellationToken);
        foreach (var entry in _executions.History(executionId)) yield return entry;
        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask<EvictionReport> EvictAsync(EvictionPolicy policy, CancellationToken cancellationToken = default)
    {
        Writable(cancellationToken);
        _access?.Flush();
        var entries = new List<(NodeId Id, DateTime Accessed, long Size)>();
        foreach (var (id, path) in EnumerateMetaFiles())
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var meta = ReadMeta(id);
                if (meta is not null) entries.Add((id, File.GetLastWriteTimeUtc(path), meta.Metadata.StoredSize));
            }
            catch (StorageCorruptionException)
            {
                entries.Add((id, DateTime.MinValue, 0)); // damaged: first to go
            }
        }

        var total = entries.Sum(e => e.Size);
        var victims = EvictionPlanner.Plan(policy, total, Now,
            cutoff => entries.Where(e => e.Accessed < cutoff.UtcDateTime).Select(e => (e.Id, e.Size)),
            () => entries.OrderBy(e => e.Accessed).Select(e => (e.Id, e.Size)));

        var removed = 0;
        long removedBytes = 0;
        foreach (var id in victims)
        {
            // A reader that already opened the data file keeps reading it; a later reader sees "absent" and recomputes.
            if (DeleteFiles(id) is { } size)
            {
                removed++;
                removedBytes += size;
            }
        }

        SweepOrphans();
        return ValueTask.FromResult(new EvictionReport(removed, removedBytes, entries.Count - removed, total - removedBytes));
    }

    /// <summary>Removes data files no metadata refers to (left by a crash between data and metadata), once they are an hour old.</summary>
    private void SweepOrphans()
    {
        if (!Directory.Exists(_results)) return;
        var cutoff = Now.UtcDateTime.AddHours(-1);
        foreach (var path in Directory.EnumerateFiles(_results, "*.data", SearchOption.AllDirectories))
        {
            var name = Path.GetFileName(path);
            if (name.Length < NodeId.HexLength || !NodeId.TryParse(name.AsSpan(0, NodeId.HexLength), out var id)) continue;
            try
            {
                if (File.GetLastWriteTimeUtc(path) >= cutoff) continue;
                var meta = ReadMeta(id);
                if (meta is null || meta.DataFile != name) TryDelete(path);
            }
            catch (StorageCorruptionException)
            {
            }
        }
    }

    private void TouchFiles(IReadOnlyCollection<NodeId> ids)
    {
        var now = Now.UtcDateTime;
        foreach (var id in ids)
        {
            try
            {
                File.SetLastWriteTimeUtc(MetaPath(id), now);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Deleted or evicted meanwhile.
            }
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && _access is not null)
        {
            _access.Dispose();
            _access.Flush();
        }

        return ValueTask.CompletedTask;
    }

    private void Writable(CancellationToken cancellationToken)
    {
        Readable(cancellationToken);
        if (_options.ReadOnly) throw new StorageException($"The store '{Location}' was opened read-only.");
    }

    private void Readable(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>Now by the store's clock (<see cref="StoreOptions.TimeProvider"/>).</summary>
    internal DateTimeOffset Now => _time.GetUtcNow();

    internal StorageMetadata? TryReadMetadata(NodeId nodeId) => ReadMeta(nodeId)?.Metadata;
}
