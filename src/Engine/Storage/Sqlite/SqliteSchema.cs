using Microsoft.Data.Sqlite;
using VoxScheduler.Dag;

namespace VoxScheduler.Storage;

/// <summary>
/// The sqlite store's schema, versioned with <c>PRAGMA user_version</c>. Opening creates it or
/// migrates an older one step by step inside a write transaction; a newer version than this
/// build knows is refused rather than touched, and nothing is ever silently dropped.
/// </summary>
internal static class SqliteSchema
{
    public const int CurrentVersion = 4;

    /// <summary>The version whose execution records keep the bytes their nodes allocated (<c>memory_usage_bytes</c>).</summary>
    public const int MemoryUsageVersion = 4;

    /// <summary>The oldest version a read-only open reads as it is (it cannot migrate).</summary>
    public const int OldestReadable = 2;

    /// <summary>
    /// The page size of the stores this version creates (SQLite's default is 4 KiB). Results land
    /// at random places of the key index, so a large transaction dirties most of its leaves;
    /// 16 KiB pages make the tree shallower and the commit cheaper per row: a million persisted
    /// results run 25–35% faster, and large results read about 1.7 times as fast (fewer overflow
    /// pages), with small reads and writes unchanged (measured with the bench's dag and storage modes).
    /// </summary>
    public const int PageSize = 16 * 1024;

    private const string Marker = "voxscheduler-store";

    // location: 0 inline (data column), 1 chunks (chunk table, keys blob_id << 24 | seq), 2 file (large/ folder).
    private const string Version1 = """
        CREATE TABLE store_info(key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
        CREATE TABLE results(
            node_id BLOB PRIMARY KEY NOT NULL,
            data_type INTEGER NOT NULL,
            size INTEGER NOT NULL,
            stored_size INTEGER NOT NULL,
            compression INTEGER NOT NULL,
            content_hash BLOB NOT NULL,
            checksum BLOB,
            created_at INTEGER NOT NULL,
            accessed_at INTEGER NOT NULL,
            dag_id TEXT,
            execution_id TEXT,
            operator TEXT,
            metadata TEXT,
            location INTEGER NOT NULL,
            blob_id INTEGER,
            file_name TEXT,
            data BLOB);
        CREATE INDEX results_by_dag ON results(dag_id) WHERE dag_id IS NOT NULL;
        CREATE INDEX results_by_execution ON results(execution_id) WHERE execution_id IS NOT NULL;
        CREATE TABLE chunks(chunk_key INTEGER PRIMARY KEY, raw_size INTEGER NOT NULL, codec INTEGER NOT NULL, data BLOB NOT NULL);
        CREATE TABLE pending_blobs(blob_id INTEGER PRIMARY KEY AUTOINCREMENT, pid INTEGER NOT NULL, started_at INTEGER NOT NULL);
        CREATE TABLE executions(
            execution_id TEXT PRIMARY KEY NOT NULL,
            name TEXT,
            dag_id TEXT,
            status TEXT NOT NULL,
            submitted_at INTEGER NOT NULL,
            completed_at INTEGER,
            total_nodes INTEGER NOT NULL,
            completed_nodes INTEGER NOT NULL,
            cached_nodes INTEGER NOT NULL,
            failed_nodes INTEGER NOT NULL,
            skipped_nodes INTEGER NOT NULL,
            source TEXT,
            error TEXT);
        CREATE INDEX executions_by_time ON executions(submitted_at);
        CREATE TABLE execution_nodes(
            execution_id TEXT NOT NULL,
            ordinal INTEGER NOT NULL,
            name TEXT NOT NULL,
            node_id BLOB NOT NULL,
            is_goal INTEGER NOT NULL,
            PRIMARY KEY(execution_id, ordinal, name)) WITHOUT ROWID;
        CREATE TABLE node_history(
            id INTEGER PRIMARY KEY,
            execution_id TEXT NOT NULL,
            node_id BLOB NOT NULL,
            operator TEXT,
            attempt INTEGER NOT NULL,
            status TEXT NOT NULL,
            error TEXT,
            at INTEGER NOT NULL);
        CREATE INDEX node_history_by_execution ON node_history(execution_id, id);
        """;

    // Version 2: the process that runs each execution, so a record its ended process left
    // Running reads back Interrupted (ExecutionOwner).
    private const string Version2 = "ALTER TABLE executions ADD COLUMN owner TEXT;";

    // The results table's columns after its key: every version since 1 has them, in this order.
    private const string ResultColumns =
        "node_id, data_type, size, stored_size, compression, content_hash, checksum, created_at, accessed_at, dag_id, execution_id, operator, metadata, location, blob_id, file_name, data";

    // Version 3: results are found through node_key, the first 8 bytes of node_id as an integer,
    // under a UNIQUE index, instead of a primary key on the 32-byte id. New results land at
    // random places of that index, so its size is what a commit rewrites and what each insert
    // searches: 8-byte integer keys make it 2.4 times smaller than the blob keys (18 against
    // 43 MB at a million results) and compare faster. The rare id whose key another stored id already has (probability about
    // n²/2⁶⁵ for n results) is kept with node_key NULL, which a UNIQUE index admits any number
    // of: it is found among the index's NULL entries, none in practice. Rowids are kept
    // (listing pages by them).
    private static readonly string Version3 = $"""
        CREATE TABLE results_v3(
            node_key INTEGER,
            node_id BLOB NOT NULL,
            data_type INTEGER NOT NULL,
            size INTEGER NOT NULL,
            stored_size INTEGER NOT NULL,
            compression INTEGER NOT NULL,
            content_hash BLOB NOT NULL,
            checksum BLOB,
            created_at INTEGER NOT NULL,
            accessed_at INTEGER NOT NULL,
            dag_id TEXT,
            execution_id TEXT,
            operator TEXT,
            metadata TEXT,
            location INTEGER NOT NULL,
            blob_id INTEGER,
            file_name TEXT,
            data BLOB);
        INSERT INTO results_v3(rowid, node_key, {ResultColumns})
            SELECT rowid, {KeyFunction}(node_id), {ResultColumns} FROM results ORDER BY rowid;
        UPDATE results_v3 SET node_key = NULL
            WHERE node_key IS NOT NULL AND rowid NOT IN (SELECT min(rowid) FROM results_v3 WHERE node_key IS NOT NULL GROUP BY node_key);
        DROP TABLE results;
        ALTER TABLE results_v3 RENAME TO results;
        CREATE UNIQUE INDEX results_by_key ON results(node_key);
        CREATE INDEX results_by_dag ON results(dag_id) WHERE dag_id IS NOT NULL;
        CREATE INDEX results_by_execution ON results(execution_id) WHERE execution_id IS NOT NULL;
        """;

    // Version 4: the bytes an execution's nodes allocated (ExecutionRecord.MemoryUsageBytes); NULL
    // in the records written before, which keep every other field.
    private const string Version4 = "ALTER TABLE executions ADD COLUMN memory_usage_bytes INTEGER;";

    // The SQL function the version 3 step computes keys with (registered on the migrating connection only).
    private const string KeyFunction = "voxscheduler_node_key";

    // Migration steps: Steps[n] takes a database from version n to n + 1.
    private static readonly string[] Steps = [Version1, Version2, Version3, Version4];

    /// <summary>
    /// SQL selecting <paramref name="columns"/> of the result whose key and id are the parameters
    /// <paramref name="key"/> and <paramref name="id"/> (schema 3): its row is under its key, or,
    /// for the rare id whose key another id holds, among the rows without a key.
    /// </summary>
    public static string SelectResult(string columns, string key, string id) =>
        $"SELECT {columns} FROM results WHERE node_key = {key} AND node_id = {id} UNION ALL SELECT {columns} FROM results WHERE node_key IS NULL AND node_id = {id} LIMIT 1";

    /// <summary>The id of the result holding the key ?1 (schema 3): compared with the id looked for, see <see cref="HoldsOwnKey"/>.</summary>
    public const string KeyHolder = "SELECT node_id FROM results WHERE node_key = ?1";

    /// <summary>A row when some result is stored without a key (schema 3).</summary>
    public const string AnyUnkeyed = "SELECT 1 FROM results WHERE node_key IS NULL LIMIT 1";

    /// <summary>True when the row holding <paramref name="id"/>'s key is <paramref name="id"/>'s own (<paramref name="keyHolder"/> prepared from <see cref="KeyHolder"/>).</summary>
    public static bool HoldsOwnKey(SqliteRawStatement keyHolder, NodeId id)
    {
        try
        {
            keyHolder.Bind(1, id.StoreKey);
            return keyHolder.Step() && NodeId.FromBytes(keyHolder.Blob(0)) == id;
        }
        finally
        {
            keyHolder.Reset();
        }
    }

    /// <summary>The same lookup in a schema 2 store (opened read-only as it is): node_id is the primary key.</summary>
    public static string SelectResultVersion2(string columns, string id) => $"SELECT {columns} FROM results WHERE node_id = {id}";

    /// <summary>
    /// Creates or migrates the schema; refuses unknown newer versions and foreign databases.
    /// Returns the version the database is at: <see cref="CurrentVersion"/>, or, opened
    /// read-only, an older one from <see cref="OldestReadable"/> on, which is read as it is.
    /// </summary>
    public static int Ensure(SqliteConnection connection, string location, bool readOnly)
    {
        var version = ReadVersion(connection);
        if (version > CurrentVersion)
        {
            throw new StorageException($"The store '{location}' has schema version {version}, newer than this VoxScheduler understands (up to {CurrentVersion}); open it with a newer version.");
        }

        if (version == CurrentVersion || (readOnly && version >= OldestReadable))
        {
            CheckMarker(connection, location);
            return version;
        }

        if (readOnly)
        {
            throw new StorageException(version == 0
                ? $"The store '{location}' does not exist yet and cannot be created read-only."
                : $"The store '{location}' has schema version {version} and needs a migration to {CurrentVersion}, which a read-only open cannot do.");
        }

        // The page size of a new database; it is fixed once the first write (this WAL switch) gives
        // the file its header, so an existing store keeps the size it was made with.
        if (version == 0) SqliteStoreConnection.Execute(connection, $"PRAGMA page_size={PageSize};");
        SqliteStoreConnection.Execute(connection, "PRAGMA journal_mode=WAL;");
        SqliteStoreConnection.Execute(connection, "BEGIN IMMEDIATE;");
        try
        {
            // Another process may have migrated while we waited for the write lock.
            version = ReadVersion(connection);
            if (version == 0 && HasForeignTables(connection))
            {
                throw new StorageException($"'{location}' is a SQLite database but not a VoxScheduler store (it has other tables); refusing to modify it.");
            }

            connection.CreateFunction<byte[], long?>(KeyFunction, id => id.Length == NodeId.ByteLength ? NodeId.FromBytes(id).StoreKey : null, isDeterministic: true);
            for (; version < CurrentVersion; version++)
            {
                SqliteStoreConnection.Execute(connection, Steps[version]);
            }

            if (ReadVersion(connection) == 0)
            {
                SqliteStoreConnection.Execute(connection, $"INSERT OR REPLACE INTO store_info(key, value) VALUES ('format', '{Marker}');");
            }

            SqliteStoreConnection.Execute(connection, $"PRAGMA user_version={CurrentVersion};");
            SqliteStoreConnection.Execute(connection, "COMMIT;");
            return CurrentVersion;
        }
        catch
        {
            SqliteStoreConnection.Execute(connection, "ROLLBACK;");
            throw;
        }
    }

    private static int ReadVersion(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA user_version;";
        return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static bool HasForeignTables(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%';";
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    private static void CheckMarker(SqliteConnection connection, string location)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM store_info WHERE key = 'format';";
        try
        {
            if (command.ExecuteScalar() as string == Marker) return;
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 1)
        {
            // no such table: fall through to the error below
        }

        throw new StorageException($"'{location}' is a SQLite database but not a VoxScheduler store; refusing to use it.");
    }
}
