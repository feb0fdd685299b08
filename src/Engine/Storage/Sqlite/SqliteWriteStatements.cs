using System.Diagnostics;
using Microsoft.Data.Sqlite;
using VoxScheduler.Dag;

namespace VoxScheduler.Storage;

/// <summary>
/// The statements of the sqlite writer, prepared once on its connection and reused: what the
/// write ops do inside the writer's transaction (<see cref="SqliteWriter"/> runs the commit
/// loop). Used only on the writer thread.
/// </summary>
internal sealed class SqliteWriteStatements : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly string? _largeFolder;
    private readonly TimeProvider _time;
    private readonly List<SqliteCommand> _commands = [];
    private readonly SqliteRawStatement _begin, _commit, _rollback, _exists, _insertResult, _touch, _keyHolder, _existsCollided, _anyCollided;
    private readonly SqliteInlineInserter _inlineInserter;
    private readonly SqliteCommand _insertChunk, _allocateBlob, _clearPending, _deleteChunks;
    private readonly SqliteCommand _selectForDelete, _deleteResult, _selectMetadata, _updateMetadata;
    private readonly SqliteCommand _upsertExecution, _insertName, _insertHistory;

    public SqliteWriteStatements(SqliteConnection connection, string? largeFolder, TimeProvider time)
    {
        _connection = connection;
        _largeFolder = largeFolder;
        _time = time;
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
            INSERT INTO executions(execution_id, name, dag_id, status, submitted_at, completed_at, total_nodes, completed_nodes, cached_nodes, failed_nodes, skipped_nodes, source, error, owner, memory_usage_bytes)
            VALUES ($id, $name, $dag, $status, $submitted, $completed, $total, $done, $cached, $failed, $skipped, $source, $error, $owner, $memory)
            ON CONFLICT(execution_id) DO UPDATE SET name = excluded.name, dag_id = excluded.dag_id, status = excluded.status,
                submitted_at = excluded.submitted_at, completed_at = excluded.completed_at, total_nodes = excluded.total_nodes,
                completed_nodes = excluded.completed_nodes, cached_nodes = excluded.cached_nodes, failed_nodes = excluded.failed_nodes,
                skipped_nodes = excluded.skipped_nodes, source = excluded.source, error = excluded.error, owner = excluded.owner,
                memory_usage_bytes = excluded.memory_usage_bytes
            """,
            "$id", "$name", "$dag", "$status", "$submitted", "$completed", "$total", "$done", "$cached", "$failed", "$skipped", "$source", "$error", "$owner", "$memory");
        _insertName = Prepare(
            "INSERT OR REPLACE INTO execution_nodes(execution_id, ordinal, name, node_id, is_goal) VALUES ($execution, $ordinal, $name, $node, $goal)",
            "$execution", "$ordinal", "$name", "$node", "$goal");
        _insertHistory = Prepare(
            "INSERT INTO node_history(execution_id, node_id, operator, attempt, status, error, at) VALUES ($execution, $node, $operator, $attempt, $status, $error, $at)",
            "$execution", "$node", "$operator", "$attempt", "$status", "$error", "$at");
    }

    /// <summary>Opens the batch's transaction (the write lock).</summary>
    public void Begin()
    {
        _begin.Execute();
        _collided = Unknown;
    }

    public void Commit() => _commit.Execute();

    public void TryRollback()
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
        p[14].Value = Db(r.MemoryUsageBytes);
        _upsertExecution.ExecuteNonQuery();
    }

    // Rare (Remove-VoxExecution): plain commands, not prepared statements kept for the store's life.
    public bool DeleteExecution(string executionId)
    {
        var removed = 0;
        foreach (var table in new[] { "node_history", "execution_nodes", "executions" })
        {
            using var command = _connection.CreateCommand();
            command.CommandText = $"DELETE FROM {table} WHERE execution_id = $id";
            command.Parameters.AddWithValue("$id", executionId);
            removed = command.ExecuteNonQuery();
        }

        // The last table is executions: its count says whether the execution was recorded.
        return removed > 0;
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

    public void Dispose()
    {
        foreach (var command in _commands) command.Dispose();
        foreach (var statement in new[] { _begin, _commit, _rollback, _exists, _insertResult, _touch, _keyHolder, _existsCollided, _anyCollided }) statement.Dispose();
        _inlineInserter.Dispose();
    }
}
