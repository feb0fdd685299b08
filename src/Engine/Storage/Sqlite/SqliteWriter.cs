using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using VoxScheduler.Dag;

namespace VoxScheduler.Storage;

/// <summary>
/// The one writer of a sqlite store: a dedicated thread drains a channel of write ops and
/// commits everything queued so far in one transaction (group commit), so concurrent
/// StoreAsync calls share a commit instead of each paying for one. Statements are prepared
/// once and reused. Lock contention with another process is retried here, never surfaced.
/// </summary>
internal sealed class SqliteWriter : IDisposable
{
    private const int MaxBatchOps = 4096;
    private const long SafetyNetWalBytes = 256L * 1024 * 1024;
    private const long MaxBatchBytes = 32L * 1024 * 1024;

    // A commit writes every page the transaction dirtied to the WAL. Results land at random
    // places of the node_key index, so a bigger transaction rewrites each touched index page
    // once for many more rows: the per-row commit cost falls as batches grow.
    private const int MaxBatchRows = 128 * 1024;
    private static readonly TimeSpan BusyBudget = TimeSpan.FromSeconds(120);

    private readonly SqliteConnection _connection;
    private readonly string _location;
    private readonly string? _largeFolder;
    private readonly Channel<SqliteWriteOp> _queue;
    private readonly Thread _thread;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<SqliteCommand> _commands = [];
    private readonly SemaphoreSlim _checkpointRequested = new(0, 1);
    private readonly Thread _checkpointer;
    private readonly ManualResetEventSlim _stop = new(false);
    private volatile bool _stopping;

    private readonly SqliteRawStatement _begin, _commit, _rollback, _exists, _insertResult, _touch, _keyHolder, _existsCollided, _anyCollided;
    private readonly SqliteInlineInserter _inlineInserter;
    private readonly TimeProvider _time;
    private readonly SqliteCommand _insertChunk, _allocateBlob, _clearPending, _deleteChunks;
    private readonly SqliteCommand _selectForDelete, _deleteResult, _selectMetadata, _updateMetadata;
    private readonly SqliteCommand _upsertExecution, _insertName, _insertHistory;

    public SqliteWriter(SqliteConnection connection, string location, string? largeFolder, TimeProvider time)
    {
        _connection = connection;
        _time = time;
        _location = location;
        _largeFolder = largeFolder;
        _queue = Channel.CreateBounded<SqliteWriteOp>(new BoundedChannelOptions(16384) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

        _begin = new SqliteRawStatement(connection, "BEGIN IMMEDIATE");
        _commit = new SqliteRawStatement(connection, "COMMIT");
        _rollback = new SqliteRawStatement(connection, "ROLLBACK");
        _exists = new SqliteRawStatement(connection, SqliteSchema.SelectResult("1", "?1", "?2"));

        // Keyed (?17 the id's store key) or, for an id whose key another id holds, with ?17 NULL.
        _insertResult = new SqliteRawStatement(connection, """
            INSERT OR IGNORE INTO results(node_key, node_id, data_type, size, stored_size, compression, content_hash, checksum, created_at, accessed_at,
                dag_id, execution_id, operator, metadata, location, blob_id, file_name, data)
            VALUES (?17, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
            """);
        _keyHolder = new SqliteRawStatement(connection, SqliteSchema.KeyHolder);
        _existsCollided = new SqliteRawStatement(connection, "SELECT 1 FROM results WHERE node_key IS NULL AND node_id = ?1");
        _anyCollided = new SqliteRawStatement(connection, SqliteSchema.AnyUnkeyed);
        _inlineInserter = new SqliteInlineInserter(connection);
        _touch = new SqliteRawStatement(connection, $"UPDATE results SET accessed_at = ?3 WHERE rowid = ({SqliteSchema.SelectResult("rowid", "?1", "?2")}) AND accessed_at < ?3");
        _insertChunk = Prepare("INSERT OR REPLACE INTO chunks(chunk_key, raw_size, codec, data) VALUES ($key, $raw, $codec, zeroblob($length))", "$key", "$raw", "$codec", "$length");
        _allocateBlob = Prepare("INSERT INTO pending_blobs(pid, started_at) VALUES ($pid, $at) RETURNING blob_id", "$pid", "$at");
        _clearPending = Prepare("DELETE FROM pending_blobs WHERE blob_id = $blob", "$blob");
        _deleteChunks = Prepare("DELETE FROM chunks WHERE chunk_key BETWEEN $first AND $last", "$first", "$last");
        _selectForDelete = Prepare(SqliteSchema.SelectResult("rowid, stored_size, location, blob_id, file_name", "$key", "$id"), "$key", "$id");
        _deleteResult = Prepare("DELETE FROM results WHERE rowid = $rowid", "$rowid");
        _selectMetadata = Prepare(SqliteSchema.SelectResult("rowid, metadata", "$key", "$id"), "$key", "$id");
        _updateMetadata = Prepare("UPDATE results SET metadata = $metadata WHERE rowid = $rowid", "$rowid", "$metadata");
        _upsertExecution = Prepare(
            """
            INSERT INTO executions(execution_id, name, dag_id, status, submitted_at, completed_at, total_nodes, completed_nodes, cached_nodes, failed_nodes, skipped_nodes, source, error, owner)
            VALUES ($id, $name, $dag, $status, $submitted, $completed, $total, $done, $cached, $failed, $skipped, $source, $error, $owner)
            ON CONFLICT(execution_id) DO UPDATE SET name = excluded.name, dag_id = excluded.dag_id, status = excluded.status,
                submitted_at = excluded.submitted_at, completed_at = excluded.completed_at, total_nodes = excluded.total_nodes,
                completed_nodes = excluded.completed_nodes, cached_nodes = excluded.cached_nodes, failed_nodes = excluded.failed_nodes,
                skipped_nodes = excluded.skipped_nodes, source = excluded.source, error = excluded.error, owner = excluded.owner
            """,
            "$id", "$name", "$dag", "$status", "$submitted", "$completed", "$total", "$done", "$cached", "$failed", "$skipped", "$source", "$error", "$owner");
        _insertName = Prepare(
            "INSERT OR REPLACE INTO execution_nodes(execution_id, ordinal, name, node_id, is_goal) VALUES ($execution, $ordinal, $name, $node, $goal)",
            "$execution", "$ordinal", "$name", "$node", "$goal");
        _insertHistory = Prepare(
            "INSERT INTO node_history(execution_id, node_id, operator, attempt, status, error, at) VALUES ($execution, $node, $operator, $attempt, $status, $error, $at)",
            "$execution", "$node", "$operator", "$attempt", "$status", "$error", "$at");

        // Checkpoints copy the WAL into the database and fsync it: done on another connection in
        // the background so commits never wait for them. The writer's own auto-checkpoint only
        // remains as a safety net if the background one falls far behind (256 MiB of WAL, in pages
        // of this database's own size: a store made by an older version may have smaller ones).
        SqliteStoreConnection.Execute(_connection, $"PRAGMA wal_autocheckpoint={SafetyNetWalBytes / PageSizeOf(_connection)};");

        // The writer's page cache holds the pages inserts touch, chiefly the node_key index
        // (random positions): at a million results it no longer fits the readers' 16 MiB and
        // every insert would read its leaf back from the OS. Allocated on demand, up to 64 MiB.
        SqliteStoreConnection.Execute(_connection, "PRAGMA cache_size=-65536;");

        // Space freed inside pages (rows moved by a page split, deleted results) is zeroed when the
        // page is written anyway: no stale copies of results linger in the file, at no extra I/O.
        SqliteStoreConnection.Execute(_connection, "PRAGMA secure_delete=FAST;");
        // Threads are named by role first: Linux tools (top -H, perf) show only the first 15 characters.
        _checkpointer = new Thread(CheckpointLoop) { IsBackground = true, Name = "sqlite checkpoints (VoxScheduler)" };
        _checkpointer.Start();

        _thread = new Thread(Run) { IsBackground = true, Name = "sqlite writer (VoxScheduler)" };
        _thread.Start();
    }

    private static long PageSizeOf(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA page_size;";
        return Math.Max(512, Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture));
    }

    private void RequestCheckpoint()
    {
        if (_checkpointRequested.CurrentCount > 0) return;
        try
        {
            _checkpointRequested.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already requested.
        }
    }

    // A dedicated thread: a checkpoint blocks on fsync for milliseconds, which a thread-pool
    // thread must not do on a two-core machine where the pool also runs every producer.
    private void CheckpointLoop()
    {
        SqliteConnection? connection = null;
        try
        {
            while (true)
            {
                _checkpointRequested.Wait();
                if (_stopping) return;
                try
                {
                    connection ??= SqliteStoreConnection.Open(_location, readOnly: false);
                    SqliteStoreConnection.Execute(connection, "PRAGMA wal_checkpoint(PASSIVE);");
                }
                catch (SqliteException)
                {
                    // Busy or failing checkpoints only delay WAL reuse; the writer's safety net still runs.
                }

                // At most a few checkpoints a second: each one fsyncs the database file.
                if (_stop.Wait(100)) return;
            }
        }
        finally
        {
            connection?.Dispose();
        }
    }

    /// <summary>Queues an op; waits only when the queue is full (back pressure).</summary>
    public Task<T> Enqueue<T>(SqliteWriteOp<T> op, CancellationToken cancellationToken) =>
        _queue.Writer.TryWrite(op) ? op.Task : EnqueueSlowAsync(op, cancellationToken);

    private async Task<T> EnqueueSlowAsync<T>(SqliteWriteOp<T> op, CancellationToken cancellationToken)
    {
        try
        {
            await _queue.Writer.WriteAsync(op, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw new ObjectDisposedException(nameof(SqliteResultStore), "The store is closed.");
        }

        return await op.Task.ConfigureAwait(false);
    }

    /// <summary>Queues an op without waiting for its commit (the op's task reports the outcome).</summary>
    public bool TryPost(SqliteWriteOp op) => _queue.Writer.TryWrite(op);

    /// <summary>Stops accepting ops, commits what is queued and waits for the thread to end.</summary>
    public async Task StopAsync()
    {
        _queue.Writer.TryComplete();
        await _stopped.Task.ConfigureAwait(false);
        _stopping = true;
        _stop.Set();
        RequestCheckpoint();
        await Task.Run(_checkpointer.Join).ConfigureAwait(false);
    }

    public void Dispose()
    {
        foreach (var command in _commands) command.Dispose();
        foreach (var statement in new[] { _begin, _commit, _rollback, _exists, _insertResult, _touch, _keyHolder, _existsCollided, _anyCollided }) statement.Dispose();
        _inlineInserter.Dispose();
        _connection.Dispose();
        _checkpointRequested.Dispose();
        _stop.Dispose();
    }

    private void Run()
    {
        var batch = new List<SqliteWriteOp>(256);
        var reader = _queue.Reader;
        try
        {
            while (true)
            {
                if (!reader.TryRead(out var first))
                {
                    // Block without spinning: on two cores a spinning writer steals the time the
                    // producers need to fill the next batch.
                    var wait = reader.WaitToReadAsync();
                    if (!wait.IsCompleted)
                    {
                        var task = wait.AsTask();
                        ((IAsyncResult)task).AsyncWaitHandle.WaitOne();
                        wait = new ValueTask<bool>(task);
                    }

                    if (!wait.Result) break;
                    continue;
                }

                batch.Add(first);
                var bytes = first.Bytes;
                var rows = first.Rows;
                while (batch.Count < MaxBatchOps && bytes < MaxBatchBytes && rows < MaxBatchRows && reader.TryRead(out var next))
                {
                    batch.Add(next);
                    bytes += next.Bytes;
                    rows += next.Rows;
                }

                RunBatch(batch);
                batch.Clear();
                RequestCheckpoint();
            }
        }
        finally
        {
            _stopped.TrySetResult();
        }
    }

    private void RunBatch(List<SqliteWriteOp> batch)
    {
        var started = Environment.TickCount64;
        var delay = 1;
        while (true)
        {
            try
            {
                _begin.Execute();
                _collided = Unknown;
                try
                {
                    foreach (var op in batch) op.Execute(this);
                    _commit.Execute();
                }
                catch
                {
                    TryRollback();
                    throw;
                }

                foreach (var op in batch) op.Complete();
                return;
            }
            catch (SqliteException e) when (SqliteStoreConnection.IsBusy(e) && Environment.TickCount64 - started < BusyBudget.TotalMilliseconds)
            {
                // Another process holds the write lock beyond busy_timeout: back off and retry the whole batch.
                Thread.Sleep(delay);
                delay = Math.Min(delay * 2, 50);
            }
            catch (Exception e)
            {
                if (batch.Count == 1)
                {
                    batch[0].Fail(e is SqliteException se ? SqliteStoreConnection.Translate(se, _location) : e);
                    return;
                }

                // Isolate the failing op: every other op of the batch still commits.
                foreach (var op in batch) RunBatch([op]);
                return;
            }
        }
    }

    private void TryRollback()
    {
        try
        {
            if (SqliteStoreConnection.InTransaction(_connection)) _rollback.Execute();
        }
        catch (SqliteException)
        {
            // The transaction is already gone (SQLite rolls back on some errors by itself).
        }
    }

    private SqliteCommand Prepare(string sql, params string[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters) command.Parameters.Add(new SqliteParameter(name, null));
        _commands.Add(command);
        return command;
    }

    private static object Db(object? value) => value ?? DBNull.Value;

    private static byte[] IdBytes(NodeId id) => id.ToByteArray();

    private static void BindKeyAndId(SqliteCommand command, NodeId id)
    {
        command.Parameters["$key"].Value = id.StoreKey;
        command.Parameters["$id"].Value = IdBytes(id);
    }

    // Whether the results table holds rows without a key (ids whose key another id holds), known
    // for the current transaction: our write lock keeps other processes from adding any meanwhile.
    private const int Unknown = -1;
    private int _collided = Unknown;

    // ---- operations used by the ops, always inside the batch transaction ----

    public bool Exists(NodeId id)
    {
        _exists.BindKeyAndId(1, id);
        return _exists.HasRow();
    }

    /// <summary>True when some result is stored without a key (almost never: see SqliteSchema version 3).</summary>
    public bool CollidedRowsExist()
    {
        if (_collided == Unknown) _collided = _anyCollided.HasRow() ? 1 : 0;

        return _collided == 1;
    }

    /// <summary>Records that a result was just stored without a key.</summary>
    public void NoteCollided() => _collided = 1;

    /// <summary>True when the row holding <paramref name="id"/>'s store key is <paramref name="id"/>'s own.</summary>
    public bool KeyHolderIs(NodeId id) => SqliteSchema.HoldsOwnKey(_keyHolder, id);

    /// <summary>True when <paramref name="id"/> is stored among the rows without a key.</summary>
    public bool ExistsCollided(NodeId id)
    {
        _existsCollided.Bind(1, id);
        return _existsCollided.HasRow();
    }

    /// <summary>
    /// Inserts a result unless it is stored: under its store key, or, when another id holds that
    /// key, without one. True when written.
    /// </summary>
    public bool InsertResult(SqliteResultRow row)
    {
        var id = row.NodeId;
        if (CollidedRowsExist() && ExistsCollided(id)) return false;
        if (InsertRow(row, keyed: true)) return true;
        if (KeyHolderIs(id)) return false;
        InsertRow(row, keyed: false);
        NoteCollided();
        return true;
    }

    private bool InsertRow(SqliteResultRow row, bool keyed)
    {
        var s = _insertResult;
        if (keyed) s.Bind(17, row.NodeId.StoreKey);
        else s.BindNull(17);
        s.Bind(1, row.NodeId);
        s.Bind(2, (long)row.DataType);
        s.Bind(3, row.Size);
        s.Bind(4, row.StoredSize);
        s.Bind(5, row.Compression);
        s.Bind(6, row.ContentHash);
        s.Bind(7, row.Checksum);
        s.Bind(8, row.CreatedAt);
        s.Bind(9, row.DagId);
        s.Bind(10, row.ExecutionId);
        s.Bind(11, row.Operator);
        s.Bind(12, row.MetadataJson);
        s.Bind(13, row.Location);
        if (row.Location == SqliteResultRow.Chunks) s.Bind(14, row.BlobId);
        else s.BindNull(14);
        s.Bind(15, row.FileName);
        s.Bind(16, row.InlineData);
        return s.Execute() == 1;
    }

    /// <summary>Inserts a persister batch: its packed raw rows many per statement, then its other rows.</summary>
    public void InsertInlineBatch(SqliteInlineBatch batch)
    {
        _inlineInserter.Insert(batch, this);
        foreach (var row in batch.Rows) InsertResult(row);
    }

    public long AllocateBlob(bool pending)
    {
        _allocateBlob.Parameters[0].Value = Environment.ProcessId;
        _allocateBlob.Parameters[1].Value = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var blobId = (long)_allocateBlob.ExecuteScalar()!;
        if (!pending) ClearPending(blobId);
        return blobId;
    }

    public void ClearPending(long blobId)
    {
        _clearPending.Parameters[0].Value = blobId;
        _clearPending.ExecuteNonQuery();
    }

    public void InsertChunk(long key, SqliteChunk chunk)
    {
        var p = _insertChunk.Parameters;
        p[0].Value = key;
        p[1].Value = chunk.RawSize;
        p[2].Value = (int)chunk.Codec;
        p[3].Value = chunk.Data.Length;
        _insertChunk.ExecuteNonQuery();
        if (chunk.Data.Length == 0) return;

        // Incremental blob I/O writes straight from the caller's memory: no per-chunk array copy.
        using var blob = new SqliteBlob(_connection, "chunks", "data", key);
        blob.Write(chunk.Data.Span);
    }

    public void DeleteChunks(long blobId)
    {
        _deleteChunks.Parameters[0].Value = SqliteChunk.FirstKey(blobId);
        _deleteChunks.Parameters[1].Value = SqliteChunk.LastKey(blobId);
        _deleteChunks.ExecuteNonQuery();
    }

    /// <summary>Deletes a result and its chunks; returns its stored size, or null when absent. Files to delete after commit go to <paramref name="files"/>.</summary>
    public long? DeleteResult(NodeId id, List<string> files)
    {
        BindKeyAndId(_selectForDelete, id);
        long rowid;
        long storedSize;
        int location;
        long blobId = 0;
        string? fileName = null;
        using (var reader = _selectForDelete.ExecuteReader())
        {
            if (!reader.Read()) return null;
            rowid = reader.GetInt64(0);
            storedSize = reader.GetInt64(1);
            location = reader.GetInt32(2);
            if (!reader.IsDBNull(3)) blobId = reader.GetInt64(3);
            if (!reader.IsDBNull(4)) fileName = reader.GetString(4);
        }

        _deleteResult.Parameters[0].Value = rowid;
        _deleteResult.ExecuteNonQuery();
        if (location == SqliteResultRow.Chunks) DeleteChunks(blobId);
        if (location == SqliteResultRow.File && fileName is not null && _largeFolder is not null)
        {
            files.Add(Path.Combine(_largeFolder, fileName));
        }

        return storedSize;
    }

    public bool UpdateMetadata(NodeId id, IReadOnlyDictionary<string, object?> update)
    {
        BindKeyAndId(_selectMetadata, id);
        long rowid;
        string? current;
        using (var reader = _selectMetadata.ExecuteReader())
        {
            if (!reader.Read()) return false;
            rowid = reader.GetInt64(0);
            current = reader.IsDBNull(1) ? null : reader.GetString(1);
        }

        var merged = UserMetadataJson.Merge(UserMetadataJson.Parse(current), update);
        _updateMetadata.Parameters[0].Value = rowid;
        _updateMetadata.Parameters[1].Value = Db(UserMetadataJson.Serialize(merged));
        _updateMetadata.ExecuteNonQuery();
        return true;
    }

    public void Touch(NodeId id, long at)
    {
        _touch.BindKeyAndId(1, id);
        _touch.Bind(3, at);
        _touch.Execute();
    }

    public void UpsertExecution(ExecutionRecord r)
    {
        var p = _upsertExecution.Parameters;
        p[0].Value = r.ExecutionId;
        p[1].Value = Db(r.Name);
        p[2].Value = Db(r.DagId);
        p[3].Value = r.Status;
        p[4].Value = r.SubmittedAt.ToUnixTimeMilliseconds();
        p[5].Value = r.CompletedAt is { } c ? c.ToUnixTimeMilliseconds() : DBNull.Value;
        p[6].Value = r.TotalNodes;
        p[7].Value = r.CompletedNodes;
        p[8].Value = r.CachedNodes;
        p[9].Value = r.FailedNodes;
        p[10].Value = r.SkippedNodes;
        p[11].Value = Db(r.Source);
        p[12].Value = Db(r.Error);
        p[13].Value = Db(r.Owner);
        _upsertExecution.ExecuteNonQuery();
    }

    public void InsertNodeName(string executionId, ExecutionNodeName name)
    {
        var p = _insertName.Parameters;
        p[0].Value = executionId;
        p[1].Value = name.Ordinal;
        p[2].Value = name.Name;
        p[3].Value = IdBytes(name.NodeId);
        p[4].Value = name.IsGoal ? 1 : 0;
        _insertName.ExecuteNonQuery();
    }

    public void InsertHistory(NodeHistoryEntry e)
    {
        var p = _insertHistory.Parameters;
        p[0].Value = e.ExecutionId;
        p[1].Value = IdBytes(e.NodeId);
        p[2].Value = Db(e.Operator);
        p[3].Value = e.Attempt;
        p[4].Value = e.Status;
        p[5].Value = Db(e.Error);
        p[6].Value = e.At.ToUnixTimeMilliseconds();
        _insertHistory.ExecuteNonQuery();
    }

    /// <summary>Deletes streamed writes whose writing process is gone (crashed mid-write).</summary>
    public int CollectAbandonedBlobs()
    {
        var abandoned = new List<long>();
        using (var command = _connection.CreateCommand())
        {
            command.CommandText = "SELECT blob_id, pid, started_at FROM pending_blobs";
            using var reader = command.ExecuteReader();
            var weekAgo = _time.GetUtcNow().AddDays(-7).ToUnixTimeMilliseconds();
            while (reader.Read())
            {
                var pid = reader.GetInt32(1);
                if (reader.GetInt64(2) < weekAgo || (pid != Environment.ProcessId && !IsAlive(pid))) abandoned.Add(reader.GetInt64(0));
            }
        }

        foreach (var blobId in abandoned)
        {
            DeleteChunks(blobId);
            ClearPending(blobId);
        }

        return abandoned.Count;
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    public static void TryDeleteFile(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Left behind; the hybrid store's orphan sweep removes unreferenced files later.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
