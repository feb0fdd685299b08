using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using VoxScheduler.Dag;

namespace VoxScheduler.Storage;

/// <summary>
/// The embedded SQLite store (the default backend): WAL, one writer thread committing many
/// results per transaction, a pool of readers, small results inline, large ones in chunks
/// streamed in and out, every read verified. Two processes may share one store.
/// </summary>
public sealed class SqliteResultStore : IResultStore, IResultBatchSink
{
    /// <summary>The database file inside the store's folder.</summary>
    public const string DatabaseFileName = "voxstore.db";

    internal const string LargeFolderName = "large";

    private readonly StoreOptions _options;
    private readonly WriteSettings _defaults;
    private readonly string _databasePath;
    private readonly SqliteWriter? _writer;
    private readonly SqliteReadPool _readers;
    private readonly AccessTracker? _access;
    private readonly bool _writesLargeFiles;
    private readonly long _accessResolutionMs;
    private readonly TimeProvider _time;
    private int _disposed;

    private SqliteResultStore(string folder, string backend, StoreOptions options, SqliteWriter? writer, bool writesLargeFiles, int schemaVersion)
    {
        Location = folder;
        Backend = backend;
        _options = options;
        _time = options.TimeProvider;
        _defaults = ResultWriteOptions.From(options).Resolve();
        _databasePath = Path.Combine(folder, DatabaseFileName);
        _writer = writer;
        _writesLargeFiles = writesLargeFiles;
        _accessResolutionMs = (long)options.AccessTimeResolution.TotalMilliseconds;
        LargeFolder = Path.Combine(folder, LargeFolderName);
        _readers = new SqliteReadPool(_databasePath, options.ReadOnly, schemaVersion);
        _executionSql = "SELECT " + (schemaVersion >= SqliteSchema.MemoryUsageVersion ? ExecutionRecordRows.Columns : ExecutionRecordRows.ColumnsBeforeMemory) + " FROM executions";
        if (writer is not null) _access = new AccessTracker(ids => writer.TryPost(new SqliteWriteOps.Touch(ids, Now())));
    }

    /// <inheritdoc />
    public string Backend { get; }

    /// <inheritdoc />
    public string Location { get; }

    internal string LargeFolder { get; }

    internal StoreOptions Options => _options;

    /// <summary>How a write that names no options is stored (the store's own options).</summary>
    internal WriteSettings Defaults => _defaults;

    /// <summary>Opens (creating or migrating) the sqlite store in <paramref name="folder"/>.</summary>
    public static ValueTask<SqliteResultStore> OpenAsync(string folder, StoreOptions? options = null, CancellationToken cancellationToken = default)
        => OpenAsync(folder, "sqlite", options ?? new StoreOptions(), writesLargeFiles: false, cancellationToken);

    internal static async ValueTask<SqliteResultStore> OpenAsync(string folder, string backend, StoreOptions options, bool writesLargeFiles, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        StoreCodec.FromOptions(options);
        var databasePath = Path.Combine(folder, DatabaseFileName);
        if (options.ReadOnly && !File.Exists(databasePath))
        {
            throw new StorageException($"There is no {backend} store at '{folder}' to open read-only.");
        }

        var connection = SqliteStoreConnection.Retry(() => SqliteStoreConnection.Open(databasePath, options.ReadOnly), databasePath);
        SqliteWriter? writer = null;
        int schemaVersion;
        try
        {
            schemaVersion = SqliteStoreConnection.Retry(() => SqliteSchema.Ensure(connection, databasePath, options.ReadOnly), databasePath);
            if (options.ReadOnly)
            {
                connection.Dispose();
            }
            else
            {
                writer = new SqliteWriter(connection, databasePath, Path.Combine(folder, LargeFolderName), options.TimeProvider);
            }
        }
        catch
        {
            connection.Dispose();
            throw;
        }

        var store = new SqliteResultStore(folder, backend, options, writer, writesLargeFiles, schemaVersion);
        if (writer is not null)
        {
            await writer.Enqueue(new SqliteWriteOps.CollectAbandoned(), cancellationToken).ConfigureAwait(false);
            DataFile.SweepTemp(Path.Combine(store.LargeFolder, "tmp"), options.TimeProvider.GetUtcNow());
        }

        return store;
    }

    /// <summary>Now by the store's clock (<see cref="StoreOptions.TimeProvider"/>), in Unix milliseconds as rows keep it.</summary>
    internal long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <inheritdoc />
    public ValueTask<bool> StoreAsync(NodeId nodeId, ReadOnlyMemory<byte> data, StorageMetadata metadata, CancellationToken cancellationToken = default)
        => StoreAsync(nodeId, data, metadata, _defaults, cancellationToken);

    /// <inheritdoc />
    public ValueTask<bool> StoreAsync(NodeId nodeId, ReadOnlyMemory<byte> data, StorageMetadata metadata, ResultWriteOptions options, CancellationToken cancellationToken = default)
        => StoreAsync(nodeId, data, metadata, options.Resolve(), cancellationToken);

    internal ValueTask<bool> StoreAsync(NodeId nodeId, ReadOnlyMemory<byte> data, StorageMetadata metadata, WriteSettings settings, CancellationToken cancellationToken)
    {
        var writer = Writable(cancellationToken);
        var json = UserMetadataJson.Serialize(metadata.Metadata);
        // The common case (a small result) allocates no state machine: the op's task is the answer.
        return _writesLargeFiles && data.Length >= settings.StreamingThreshold
            ? StoreLargeFileAsync(writer, nodeId, data, metadata, json, cancellationToken)
            : new ValueTask<bool>(StoreInDatabaseAsync(nodeId, data, metadata, json, settings.Codec, cancellationToken));
    }

    private async ValueTask<bool> StoreLargeFileAsync(SqliteWriter writer, NodeId nodeId, ReadOnlyMemory<byte> data, StorageMetadata metadata, string? json, CancellationToken cancellationToken)
    {
        var fileName = DataFile.FinalName(nodeId);
        var path = LargeFilePath(fileName);
        byte[] hash;
        await using (var file = DataFile.Create(Path.Combine(LargeFolder, "tmp")))
        {
            await file.WriteAsync(data, cancellationToken).ConfigureAwait(false);
            hash = file.Hash;
            file.Publish(path);
        }

        var row = SqliteRowBuilder.File(nodeId, RelativeLargeName(fileName), data.Length, hash, metadata, json, Now());
        return await writer.Enqueue(new SqliteWriteOps.Store(row, path), cancellationToken).ConfigureAwait(false);
    }

    internal Task<bool> StoreInDatabaseAsync(NodeId nodeId, ReadOnlyMemory<byte> data, StorageMetadata metadata, string? json, byte writeCodec, CancellationToken cancellationToken)
    {
        var codec = StoreCodec.ForValue(data.Span, writeCodec);
        var row = data.Length <= _options.InlineThreshold
            ? SqliteRowBuilder.Inline(nodeId, data.Span, metadata, json, codec, Now())
            : SqliteRowBuilder.Chunked(nodeId, data, metadata, json, codec, Now());
        return Writable(cancellationToken).Enqueue(new SqliteWriteOps.Store(row, null), cancellationToken);
    }

    /// <summary>True when a result of <paramref name="length"/> encoded bytes is an inline row (so it can go in a batch).</summary>
    internal bool KeepsInline(int length, WriteSettings settings) =>
        length <= _options.InlineThreshold && !(_writesLargeFiles && length >= settings.StreamingThreshold);

    /// <inheritdoc />
    ResultBatch IResultBatchSink.CreateBatch(ResultWriteOptions options) => new SqliteInlineBatch(this, 256, options.Resolve());

    /// <inheritdoc />
    Task IResultBatchSink.StoreBatchAsync(ResultBatch batch) =>
        Writable(CancellationToken.None).Enqueue(new SqliteWriteOps.StoreMany((SqliteInlineBatch)batch), CancellationToken.None);

    internal SqliteReadSession RentReader() => _readers.Rent();

    internal void ReturnReader(SqliteReadSession session) => _readers.Return(session);

    internal Task<T> EnqueueAsync<T>(SqliteWriteOp<T> op, CancellationToken cancellationToken) => Writable(cancellationToken).Enqueue(op, cancellationToken);

    internal static string RelativeLargeName(string fileName) => fileName[..2] + "/" + fileName;

    internal string LargeFilePath(string fileName) => Path.Combine(LargeFolder, fileName[..2], fileName);

    /// <inheritdoc />
    public ValueTask<IResultWriter> OpenWriteAsync(NodeId nodeId, StorageMetadata metadata, CancellationToken cancellationToken = default)
        => OpenWriteAsync(nodeId, metadata, _defaults, cancellationToken);

    /// <inheritdoc />
    public ValueTask<IResultWriter> OpenWriteAsync(NodeId nodeId, StorageMetadata metadata, ResultWriteOptions options, CancellationToken cancellationToken = default)
        => OpenWriteAsync(nodeId, metadata, options.Resolve(), cancellationToken);

    internal ValueTask<IResultWriter> OpenWriteAsync(NodeId nodeId, StorageMetadata metadata, WriteSettings settings, CancellationToken cancellationToken)
    {
        Writable(cancellationToken);
        var json = UserMetadataJson.Serialize(metadata.Metadata);
        IResultWriter writer = _writesLargeFiles
            ? new HybridSpillWriter(this, nodeId, metadata, json, settings)
            : new SqliteChunkWriter(this, nodeId, metadata, json, settings.Codec);
        return ValueTask.FromResult(writer);
    }

    /// <inheritdoc />
    public ValueTask<byte[]?> RetrieveAsync(NodeId nodeId, CancellationToken cancellationToken = default)
    {
        Readable(cancellationToken);
        var session = _readers.Rent();
        try
        {
            var stored = SqliteStoreConnection.Retry(() => session.ReadRef(nodeId), _databasePath, nodeId);
            if (stored is null) return ValueTask.FromResult<byte[]?>(null);
            byte[]? result;
            switch (stored.Location)
            {
                case SqliteResultRow.Inline:
                    result = DecodeInline(nodeId, stored);
                    break;
                case SqliteResultRow.Chunks:
                    result = SqliteStoreConnection.Retry(() =>
                    {
                        // Re-read the row inside one read transaction with its chunks: a consistent snapshot.
                        session.BeginRead();
                        try
                        {
                            var current = session.ReadRef(nodeId);
                            if (current is null) return null;
                            var bytes = GC.AllocateUninitializedArray<byte>(checked((int)current.Size));
                            SqliteChunkReadStream.ReadAll(session, current, nodeId, bytes);
                            return bytes;
                        }
                        finally
                        {
                            session.EndRead();
                        }
                    }, _databasePath, nodeId);
                    break;
                default:
                    result = ReadLargeFileWhole(nodeId, stored, session);
                    break;
            }

            if (result is not null) Touch(nodeId, stored.AccessedAt);
            return ValueTask.FromResult(result);
        }
        catch (StorageCorruptionException)
        {
            Quarantine(nodeId);
            throw;
        }
        finally
        {
            _readers.Return(session);
        }
    }

    private void Touch(NodeId nodeId, long accessedAt)
    {
        if (_access is not null && Now() - accessedAt >= _accessResolutionMs) _access.Touch(nodeId);
    }

    private static byte[] DecodeInline(NodeId nodeId, SqliteStoredRef stored)
    {
        var data = stored.InlineData ?? [];
        if (data.Length != stored.StoredSize)
        {
            throw new StorageCorruptionException($"Stored result has {data.Length} bytes, {stored.StoredSize} were written", nodeId);
        }

        Span<byte> hash = stackalloc byte[StoreHash.Length];
        StoreHash.Compute(data, hash);
        if (!hash.SequenceEqual(stored.StoredHash))
        {
            throw new StorageCorruptionException("Stored result failed its checksum", nodeId);
        }

        if (stored.Compression == StoreCodec.Raw) return data;
        var result = GC.AllocateUninitializedArray<byte>(checked((int)stored.Size));
        if (!StoreCodec.TryDecompress(data, stored.Compression, result))
        {
            throw new StorageCorruptionException("Stored result does not decompress", nodeId);
        }

        return result;
    }

    private byte[]? ReadLargeFileWhole(NodeId nodeId, SqliteStoredRef stored, SqliteReadSession session)
    {
        using var stream = OpenLargeFile(nodeId, stored, session);
        if (stream is null) return null;
        var result = GC.AllocateUninitializedArray<byte>(checked((int)stored.Size));
        stream.ReadExactly(result);
        if (stream.Read(new byte[1]) != 0) throw new StorageCorruptionException("Stored result is longer than recorded", nodeId);
        return result;
    }

    private VerifiedFileReadStream? OpenLargeFile(NodeId nodeId, SqliteStoredRef stored, SqliteReadSession session)
    {
        var relative = stored.FileName ?? throw new StorageCorruptionException("Stored result names no data file", nodeId);
        var path = Path.Combine(LargeFolder, relative.Replace('/', Path.DirectorySeparatorChar));
        var stream = VerifiedFileReadStream.TryOpen(path, stored.StoredSize, stored.StoredHash, nodeId);
        if (stream is not null) return stream;

        // Gone: evicted or deleted since the row was read (then absent), or lost (then damaged).
        if (SqliteStoreConnection.Retry(() => session.Exists(nodeId), _databasePath, nodeId))
        {
            throw new StorageCorruptionException($"The data file '{relative}' of a stored result is missing", nodeId);
        }

        return null;
    }

    /// <summary>
    /// Removes a result found damaged (after the caller has been told), so the node's
    /// recomputed value can be stored again instead of colliding with the broken one.
    /// </summary>
    private void Quarantine(NodeId nodeId)
    {
        _writer?.TryPost(new SqliteWriteOps.Delete([nodeId]));
    }

    /// <inheritdoc />
    public async ValueTask<Stream?> OpenReadAsync(NodeId nodeId, CancellationToken cancellationToken = default)
    {
        Readable(cancellationToken);
        var session = _readers.Rent();
        var handedOver = false;
        try
        {
            var stored = SqliteStoreConnection.Retry(() => session.ReadRef(nodeId), _databasePath, nodeId);
            if (stored is null) return null;
            Stream? stream;
            switch (stored.Location)
            {
                case SqliteResultRow.Inline:
                    stream = new MemoryStream(DecodeInline(nodeId, stored), writable: false);
                    break;
                case SqliteResultRow.Chunks:
                    stream = SqliteStoreConnection.Retry<Stream?>(() =>
                    {
                        session.BeginRead();
                        var current = session.ReadRef(nodeId);
                        if (current is null)
                        {
                            session.EndRead();
                            return null;
                        }

                        return new SqliteChunkReadStream(session, _readers.Return, current, nodeId);
                    }, _databasePath, nodeId);
                    handedOver = stream is not null;
                    break;
                default:
                    stream = OpenLargeFile(nodeId, stored, session);
                    break;
            }

            if (stream is not null) Touch(nodeId, stored.AccessedAt);
            return await ValueTask.FromResult(stream).ConfigureAwait(false);
        }
        catch (StorageCorruptionException)
        {
            Quarantine(nodeId);
            throw;
        }
        finally
        {
            if (!handedOver) _readers.Return(session);
        }
    }

    /// <inheritdoc />
    public IAsyncEnumerable<ReadOnlyMemory<byte>> StreamAsync(NodeId nodeId, int chunkSize = 1024 * 1024, CancellationToken cancellationToken = default)
        => StoreStreaming.StreamAsync(this, nodeId, chunkSize, cancellationToken);

    /// <inheritdoc />
    public ValueTask<bool> ExistsAsync(NodeId nodeId, CancellationToken cancellationToken = default)
    {
        Readable(cancellationToken);
        var session = _readers.Rent();
        try
        {
            return ValueTask.FromResult(SqliteStoreConnection.Retry(() => session.Exists(nodeId), _databasePath, nodeId));
        }
        finally
        {
            _readers.Return(session);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool[]> ExistsManyAsync(IReadOnlyList<NodeId> nodeIds, CancellationToken cancellationToken = default)
    {
        Readable(cancellationToken);
        var answers = new bool[nodeIds.Count];
        if (answers.Length == 0) return ValueTask.FromResult(answers);
        var session = _readers.Rent();
        try
        {
            // One read transaction and one prepared statement for the whole batch.
            SqliteStoreConnection.Retry(() =>
            {
                session.BeginRead();
                try
                {
                    session.ExistsMany(nodeIds, answers, cancellationToken);
                }
                finally
                {
                    session.EndRead();
                }

                return true;
            }, _databasePath);
            return ValueTask.FromResult(answers);
        }
        finally
        {
            _readers.Return(session);
        }
    }

    /// <inheritdoc />
    public async ValueTask<bool> DeleteAsync(NodeId nodeId, CancellationToken cancellationToken = default)
    {
        var result = await Writable(cancellationToken).Enqueue(new SqliteWriteOps.Delete([nodeId]), cancellationToken).ConfigureAwait(false);
        return result.Count == 1;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StorageMetadata> ListAsync(ResultQuery? query = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        query ??= ResultQuery.All;
        var sql = $"SELECT rowid, {SqliteReadSession.MetadataColumns} FROM results WHERE rowid > $after"
            // A DAG's results include those an execution of it reused from the store (its goals and named nodes).
            + (query.DagId is null ? string.Empty
                : " AND (dag_id = $dag OR node_id IN (SELECT n.node_id FROM execution_nodes n JOIN executions e ON e.execution_id = n.execution_id WHERE e.dag_id = $dag))")
            + (query.ExecutionId is null ? string.Empty : " AND (execution_id = $execution OR node_id IN (SELECT node_id FROM execution_nodes WHERE execution_id = $execution))")
            + " ORDER BY rowid LIMIT $limit";
        const int PageSize = 512;
        long after = 0;
        var remaining = query.Limit > 0 ? query.Limit : long.MaxValue;
        var page = new List<StorageMetadata>(PageSize);
        while (remaining > 0)
        {
            Readable(cancellationToken);
            page.Clear();
            var session = _readers.Rent();
            try
            {
                // Keyset pages: no read transaction or connection is held while the caller consumes a page.
                after = SqliteStoreConnection.Retry(() =>
                {
                    var command = session.Command(sql, "$after", "$dag", "$execution", "$limit");
                    command.Parameters["$after"].Value = after;
                    command.Parameters["$dag"].Value = (object?)query.DagId ?? DBNull.Value;
                    command.Parameters["$execution"].Value = (object?)query.ExecutionId ?? DBNull.Value;
                    command.Parameters["$limit"].Value = Math.Min(PageSize, remaining);
                    var last = after;
                    page.Clear();
                    using var reader = command.ExecuteReader();
                    while (reader.Read())
                    {
                        last = reader.GetInt64(0);
                        page.Add(SqliteReadSession.ReadMetadata(reader, 1));
                    }

                    return last;
                }, _databasePath);
            }
            finally
            {
                _readers.Return(session);
            }

            foreach (var item in page) yield return item;
            remaining -= page.Count;
            if (page.Count < PageSize) yield break;
        }
    }

    /// <inheritdoc />
    public ValueTask<StorageMetadata?> GetMetadataAsync(NodeId nodeId, CancellationToken cancellationToken = default)
    {
        Readable(cancellationToken);
        var session = _readers.Rent();
        try
        {
            return ValueTask.FromResult(SqliteStoreConnection.Retry(() => session.GetMetadata(nodeId), _databasePath, nodeId));
        }
        finally
        {
            _readers.Return(session);
        }
    }

    /// <inheritdoc />
    public async ValueTask<bool> UpdateMetadataAsync(NodeId nodeId, IReadOnlyDictionary<string, object?> metadata, CancellationToken cancellationToken = default)
    {
        UserMetadataJson.Serialize(metadata);
        return await Writable(cancellationToken).Enqueue(new SqliteWriteOps.UpdateMetadata(nodeId, metadata), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        if (_writer is null) return;
        await Writable(cancellationToken).Enqueue(new SqliteWriteOps.Barrier(), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask RecordExecutionAsync(ExecutionRecord record, CancellationToken cancellationToken = default)
        => await Writable(cancellationToken).Enqueue(new SqliteWriteOps.Execution(record), cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async ValueTask RecordNodeNamesAsync(string executionId, IReadOnlyList<ExecutionNodeName> names, CancellationToken cancellationToken = default)
        => await Writable(cancellationToken).Enqueue(new SqliteWriteOps.NodeNames(executionId, names), cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async ValueTask RecordNodeHistoryAsync(NodeHistoryEntry entry, CancellationToken cancellationToken = default)
        => await Writable(cancellationToken).Enqueue(new SqliteWriteOps.History(entry), cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async ValueTask<bool> DeleteExecutionAsync(string executionId, CancellationToken cancellationToken = default)
        => await Writable(cancellationToken).Enqueue(new SqliteWriteOps.DeleteExecution(executionId), cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public ValueTask<ExecutionRecord?> GetExecutionAsync(string executionId, CancellationToken cancellationToken = default)
    {
        var list = Query(_executionSql + " WHERE execution_id = $p", executionId, ReadExecution, cancellationToken);
        return ValueTask.FromResult(list.Count > 0 ? list[0] : null);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ExecutionRecord> ListExecutionsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var item in Query(_executionSql + " WHERE $p IS NULL ORDER BY submitted_at DESC, execution_id", null, ReadExecution, cancellationToken))
        {
            yield return item;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ExecutionNodeName> ListExecutionNodesAsync(string executionId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var sql = "SELECT execution_id, name, node_id, is_goal, ordinal FROM execution_nodes WHERE execution_id = $p ORDER BY ordinal, name";
        foreach (var item in Query(sql, executionId, r => new ExecutionNodeName(r.GetString(0), r.GetString(1), NodeId.FromBytes((byte[])r.GetValue(2)), r.GetInt32(3) != 0, r.GetInt32(4)), cancellationToken))
        {
            yield return item;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<NodeHistoryEntry> ListNodeHistoryAsync(string executionId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var sql = "SELECT execution_id, node_id, operator, attempt, status, error, at FROM node_history WHERE execution_id = $p ORDER BY id";
        foreach (var item in Query(sql, executionId, r => new NodeHistoryEntry(
                     r.GetString(0), NodeId.FromBytes((byte[])r.GetValue(1)), r.IsDBNull(2) ? null : r.GetString(2), r.GetInt32(3),
                     r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(6))), cancellationToken))
        {
            yield return item;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    // The execution columns of the store's schema (an older one opened read-only reads memory usage as NULL).
    private readonly string _executionSql;

    private static ExecutionRecord ReadExecution(SqliteDataReader r) => ExecutionRecordRows.Read(r);

    // Execution history is small next to results (one row per execution or name), so it is read in one go.
    private List<T> Query<T>(string sql, string? parameter, Func<SqliteDataReader, T> read, CancellationToken cancellationToken)
    {
        Readable(cancellationToken);
        var session = _readers.Rent();
        try
        {
            return SqliteStoreConnection.Retry(() =>
            {
                var command = session.Command(sql, "$p");
                command.Parameters["$p"].Value = (object?)parameter ?? DBNull.Value;
                var list = new List<T>();
                using var reader = command.ExecuteReader();
                while (reader.Read()) list.Add(read(reader));
                return list;
            }, _databasePath);
        }
        finally
        {
            _readers.Return(session);
        }
    }

    /// <inheritdoc />
    public async ValueTask<EvictionReport> EvictAsync(EvictionPolicy policy, CancellationToken cancellationToken = default)
    {
        var writer = Writable(cancellationToken);
        _access?.Flush();
        await writer.Enqueue(new SqliteWriteOps.Barrier(), cancellationToken).ConfigureAwait(false);

        var (_, total) = Totals(cancellationToken);
        var victims = EvictionPlanner.Plan(policy, total, _time.GetUtcNow(),
            cutoff => Candidates("SELECT node_id, stored_size FROM results WHERE accessed_at < $p", cutoff.ToUnixTimeMilliseconds(), cancellationToken),
            // Ties broken by age.
            () => Candidates("SELECT node_id, stored_size FROM results WHERE $p = $p ORDER BY accessed_at, created_at", 0, cancellationToken));

        var removed = 0;
        long removedBytes = 0;
        for (var i = 0; i < victims.Count; i += 512)
        {
            var batch = victims.GetRange(i, Math.Min(512, victims.Count - i));
            var (n, bytes) = await writer.Enqueue(new SqliteWriteOps.Delete(batch), cancellationToken).ConfigureAwait(false);
            removed += n;
            removedBytes += bytes;
        }

        SweepOrphanFiles(cancellationToken);
        var (count, remaining) = Totals(cancellationToken);
        return new EvictionReport(removed, removedBytes, (int)count, remaining);
    }

    /// <summary>
    /// Deletes large-object files no row refers to: left by a crash between moving a file into
    /// place and committing its row, or by a delete whose file was still open on Windows.
    /// Only files older than an hour, so a write in flight in another process is never touched.
    /// </summary>
    private void SweepOrphanFiles(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(LargeFolder)) return;
        var now = _time.GetUtcNow();
        DataFile.SweepTemp(Path.Combine(LargeFolder, "tmp"), now);
        var cutoff = now.UtcDateTime.AddHours(-1);
        HashSet<string>? referenced = null;
        foreach (var shard in Directory.EnumerateDirectories(LargeFolder))
        {
            if (Path.GetFileName(shard) == "tmp") continue;
            foreach (var file in Directory.EnumerateFiles(shard, "*.data"))
            {
                if (File.GetLastWriteTimeUtc(file) >= cutoff) continue;
                referenced ??= Query("SELECT file_name FROM results WHERE location = 2 AND $p IS NULL", null, r => r.GetString(0), cancellationToken).ToHashSet(StringComparer.Ordinal);
                if (!referenced.Contains(Path.GetFileName(shard) + "/" + Path.GetFileName(file))) SqliteWriter.TryDeleteFile(file);
            }
        }
    }

    private (long Count, long Bytes) Totals(CancellationToken cancellationToken)
    {
        var rows = Query("SELECT count(*), coalesce(sum(stored_size), 0) FROM results WHERE $p IS NULL", null, r => (r.GetInt64(0), r.GetInt64(1)), cancellationToken);
        return rows[0];
    }

    private List<(NodeId Id, long Size)> Candidates(string sql, long parameter, CancellationToken cancellationToken)
    {
        Readable(cancellationToken);
        var session = _readers.Rent();
        try
        {
            return SqliteStoreConnection.Retry(() =>
            {
                var command = session.Command(sql, "$p");
                command.Parameters["$p"].Value = parameter;
                var list = new List<(NodeId, long)>();
                using var reader = command.ExecuteReader();
                while (reader.Read()) list.Add((NodeId.FromBytes((byte[])reader.GetValue(0)), reader.GetInt64(1)));
                return list;
            }, _databasePath);
        }
        finally
        {
            _readers.Return(session);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        if (_writer is not null)
        {
            _access!.Dispose();
            _access.Flush();
            await _writer.StopAsync().ConfigureAwait(false);
            _writer.Dispose();
        }

        _readers.Dispose();
    }

    private SqliteWriter Writable(CancellationToken cancellationToken)
    {
        Readable(cancellationToken);
        return _writer ?? throw new StorageException($"The store '{Location}' was opened read-only.");
    }

    private void Readable(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
    }
}
