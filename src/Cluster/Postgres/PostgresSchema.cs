using System.Security.Cryptography;
using System.Text;
using Npgsql;
using VoxScheduler.Storage;

namespace VoxScheduler.Cluster.Postgres;

/// <summary>
/// Where a store lives in a PostgreSQL database and the tables it keeps there. A store is named
/// by a namespace (any text up to <see cref="MaxNamespaceLength"/> characters, as a folder names
/// a file store); its tables live in a schema whose name is derived from the namespace by hashing,
/// so no text a user gives ever becomes part of an SQL identifier. The namespace itself is kept in
/// the schema, so two namespaces whose hashes collide are refused instead of sharing tables.
/// </summary>
internal static class PostgresSchema
{
    public const int Version = 3;

    /// <summary>The version whose execution records keep the bytes their nodes allocated (<c>memory_usage_bytes</c>).</summary>
    public const int MemoryUsageVersion = 2;

    /// <summary>
    /// The version whose execution records name the silo coordinating them (<c>coordinator</c>), so
    /// the surviving silos can end the ones a dead coordinator left Running (<see cref="PostgresLostCoordinators"/>).
    /// </summary>
    public const int CoordinatorVersion = 3;

    // Migration steps: Steps[n - 1] takes a store from version n to n + 1 (version 1 is CreateSql
    // as it was before memory_usage_bytes; new stores are made at the current version directly).
    private static readonly Func<string, string>[] Steps =
    [
        // 1 -> 2: the bytes an execution's nodes allocated (ExecutionRecord.MemoryUsageBytes); NULL
        // in the records written before, which keep every other field.
        s => $"ALTER TABLE {s}.executions ADD COLUMN IF NOT EXISTS memory_usage_bytes bigint;",
        // 2 -> 3: the coordinating silo of a cluster execution (ExecutionRecord.Coordinator; NULL in the
        // records written before, which no silo ever ends), and the unfinished ones by it, which is
        // what the surviving silos look up when a silo is declared dead.
        s => $"ALTER TABLE {s}.executions ADD COLUMN IF NOT EXISTS coordinator text; {RunningIndexSql(s)}",
    ];

    // Small: only the executions not finished yet, by coordinating silo.
    private static string RunningIndexSql(string s) =>
        $"CREATE INDEX IF NOT EXISTS executions_unfinished ON {s}.executions(coordinator) WHERE status IN ('Pending', 'Running');";

    public const int MaxNamespaceLength = 1024;

    public static string SchemaName(string storeNamespace)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(storeNamespace));
        return "vox_" + Convert.ToHexStringLower(hash, 0, 12);
    }

    /// <summary>The key of the advisory lock that serializes creation and migration of one store.</summary>
    public static long LockKey(string schema) => BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes("voxscheduler:" + schema)), 0);

    public static void CheckNamespace(string? storeNamespace)
    {
        if (string.IsNullOrWhiteSpace(storeNamespace)) throw new StorageException("A postgres store needs a namespace (the name of the store inside the database).");
        if (storeNamespace.Length > MaxNamespaceLength)
        {
            throw new StorageException($"A postgres store namespace is at most {MaxNamespaceLength} characters (got {storeNamespace.Length}).");
        }

        if (storeNamespace.Any(char.IsControl)) throw new StorageException("A postgres store namespace may not contain control characters.");
    }

    /// <summary>
    /// Creates the store's schema and tables, or checks an existing one and migrates it to
    /// <see cref="Version"/> step by step under the store's advisory lock. Returns the version the
    /// store is at: the current one, or, opened read-only, an older one (read as it is); null when
    /// it does not exist and must not be created.
    /// </summary>
    public static async Task<int?> EnsureAsync(NpgsqlDataSource source, string schema, string storeNamespace, bool readOnly, CancellationToken cancellationToken)
    {
        await using var connection = await source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (!readOnly)
        {
            await using var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1)", connection, transaction);
            lockCommand.Parameters.AddWithValue(LockKey(schema));
            await lockCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var exists = new NpgsqlCommand("SELECT count(*) FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'store_info'", connection, transaction))
        {
            exists.Parameters.AddWithValue(schema);
            if ((long)(await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))! == 0)
            {
                if (readOnly) return null;
                await using var create = new NpgsqlCommand(CreateSql(schema), connection, transaction);
                await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                await using var info = new NpgsqlCommand($"INSERT INTO {schema}.store_info(key, value) VALUES ('schema_version', $1), ('namespace', $2), ('backend', 'postgres')", connection, transaction);
                info.Parameters.AddWithValue(Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
                info.Parameters.AddWithValue(storeNamespace);
                await info.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        await using (var read = new NpgsqlCommand($"SELECT key, value FROM {schema}.store_info", connection, transaction))
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) values[reader.GetString(0)] = reader.GetString(1);
        }

        if (!values.TryGetValue("namespace", out var recorded) || recorded != storeNamespace)
        {
            throw new StorageException($"The postgres schema {schema} belongs to another store namespace; choose another namespace.");
        }

        if (!values.TryGetValue("schema_version", out var version) || !int.TryParse(version, out var number) || number > Version)
        {
            throw new StorageException($"The postgres store '{storeNamespace}' has schema version {version ?? "(none)"}; this version of VoxScheduler reads up to {Version}.");
        }

        if (number < Version && !readOnly)
        {
            // Under the advisory lock taken above: one opener migrates, the others see the result.
            for (; number < Version; number++)
            {
                await using var step = new NpgsqlCommand(Steps[number - 1](schema), connection, transaction);
                await step.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await using var update = new NpgsqlCommand($"UPDATE {schema}.store_info SET value = $1 WHERE key = 'schema_version'", connection, transaction);
            update.Parameters.AddWithValue(Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return number;
    }

    // Stored bytes are compressed by us (or incompressible), so PostgreSQL's own TOAST compression is
    // turned off for them (STORAGE EXTERNAL): it would only spend CPU finding that out again.
    private static string CreateSql(string s) => $"""
        CREATE SCHEMA IF NOT EXISTS {s};
        CREATE TABLE {s}.store_info(key text PRIMARY KEY, value text NOT NULL);
        CREATE TABLE {s}.results(
            seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
            node_id bytea PRIMARY KEY,
            data_type integer NOT NULL,
            size bigint NOT NULL,
            stored_size bigint NOT NULL,
            compression smallint NOT NULL,
            content_hash bytea NOT NULL,
            checksum bytea,
            created_at bigint NOT NULL,
            accessed_at bigint NOT NULL,
            dag_id text,
            execution_id text,
            operator text,
            metadata text,
            blob_id bigint,
            data bytea);
        ALTER TABLE {s}.results ALTER COLUMN data SET STORAGE EXTERNAL;
        CREATE INDEX results_by_dag ON {s}.results(dag_id) WHERE dag_id IS NOT NULL;
        CREATE INDEX results_by_execution ON {s}.results(execution_id) WHERE execution_id IS NOT NULL;
        CREATE INDEX results_by_access ON {s}.results(accessed_at, created_at);
        CREATE SEQUENCE {s}.blob_ids;
        CREATE TABLE {s}.chunks(
            blob_id bigint NOT NULL,
            ordinal integer NOT NULL,
            raw_size integer NOT NULL,
            codec smallint NOT NULL,
            data bytea NOT NULL,
            PRIMARY KEY(blob_id, ordinal));
        ALTER TABLE {s}.chunks ALTER COLUMN data SET STORAGE EXTERNAL;
        CREATE TABLE {s}.executions(
            execution_id text PRIMARY KEY,
            name text,
            dag_id text,
            status text NOT NULL,
            submitted_at bigint NOT NULL,
            completed_at bigint,
            total_nodes integer NOT NULL,
            completed_nodes integer NOT NULL,
            cached_nodes integer NOT NULL,
            failed_nodes integer NOT NULL,
            skipped_nodes integer NOT NULL,
            source text,
            error text,
            owner text,
            memory_usage_bytes bigint,
            coordinator text);
        CREATE INDEX executions_by_time ON {s}.executions(submitted_at);
        {RunningIndexSql(s)}
        CREATE TABLE {s}.execution_nodes(
            execution_id text NOT NULL,
            ordinal integer NOT NULL,
            name text NOT NULL,
            node_id bytea NOT NULL,
            is_goal boolean NOT NULL,
            PRIMARY KEY(execution_id, ordinal, name));
        CREATE INDEX execution_nodes_by_node ON {s}.execution_nodes(node_id);
        CREATE TABLE {s}.node_history(
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            execution_id text NOT NULL,
            node_id bytea NOT NULL,
            operator text,
            attempt integer NOT NULL,
            status text NOT NULL,
            error text,
            at bigint NOT NULL);
        CREATE INDEX node_history_by_execution ON {s}.node_history(execution_id, id);
        """;
}
