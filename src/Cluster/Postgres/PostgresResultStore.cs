using System.Runtime.CompilerServices;
using Npgsql;
using NpgsqlTypes;
using VoxScheduler.Dag;
using VoxScheduler.Values;
using VoxScheduler.Storage;

namespace VoxScheduler.Cluster.Postgres;

/// <summary>
/// The result store in a shared PostgreSQL database (cluster issue): one store per namespace, in
/// a schema of its own (see <see cref="PostgresSchema"/>). Writes are
/// <c>INSERT … ON CONFLICT (node_id) DO NOTHING</c>, so a result computed twice (by two machines)
/// is stored once and the first copy stands; small results are stored inline, large ones in
/// chunks of 1 MiB compressed one by one and read back as a stream; every read is verified
/// against the content hash, and damage is reported naming the node and the damaged result
/// removed so it can be computed again. The connection string comes from the caller or from the
/// <c>VOXSCHEDULER_POSTGRES</c> environment variable, never from a command line.
/// </summary>
public sealed partial class PostgresResultStore : IResultStore, IResultBatchSink
{
    /// <summary>The environment variable that holds the connection string when none is given.</summary>
    public const string ConnectionVariable = "VOXSCHEDULER_POSTGRES";

    /// <summary>Statements each pooled connection keeps prepared (Npgsql's Max Auto Prepare) unless the connection string sets it.</summary>
    public const int AutoPrepared = 32;

    private const string MetadataColumns =
        "node_id, data_type, size, stored_size, compression, content_hash, checksum, created_at, accessed_at, dag_id, execution_id, operator, metadata";

    private const string ExecutionColumns = ExecutionRecordRows.Columns + ", coordinator";

    // The execution columns read from the store's schema (an older one opened read-only reads memory usage as NULL, and no coordinator).
    private readonly string _executionReadColumns;

    private readonly PostgresDataSources.Lease _lease;
    private readonly NpgsqlDataSource _source;
    private readonly StoreOptions _options;
    private readonly TimeProvider _time;
    private readonly AccessTracker? _access;
    private readonly long _accessResolutionMs;
    private int _disposed;
    private readonly PendingWrites _pending = new();
    private readonly PostgresGroupCommit _group;

    private PostgresResultStore(PostgresDataSources.Lease lease, string schema, string storeNamespace, StoreOptions options, int schemaVersion)
    {
        _executionReadColumns = schemaVersion >= PostgresSchema.CoordinatorVersion ? ExecutionRecordRows.Columns + ", coordinator"
            : schemaVersion >= PostgresSchema.MemoryUsageVersion ? ExecutionRecordRows.Columns
            : ExecutionRecordRows.ColumnsBeforeMemory;
        _lease = lease;
        _source = lease.Source;
        Schema = schema;
        Location = storeNamespace;
        _options = options;
        _time = options.TimeProvider;
        Codec = StoreCodec.FromOptions(options);
        _accessResolutionMs = (long)options.AccessTimeResolution.TotalMilliseconds;
        if (!options.ReadOnly) _access = new AccessTracker(TouchMany);
        _group = new PostgresGroupCommit(step => RunAsync(null, "cannot store a batch of results", step, CancellationToken.None), schema);
    }

    public string Backend => "postgres";

    /// <summary>The store's namespace inside the database.</summary>
    public string Location { get; }

    internal string Schema { get; }

    internal byte Codec { get; }

    /// <summary>Opens (creating when allowed) the store named <paramref name="storeNamespace"/> in the database the connection string names.</summary>
    public static async ValueTask<PostgresResultStore> OpenAsync(string? connectionString, string storeNamespace, StoreOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new StoreOptions();
        PostgresSchema.CheckNamespace(storeNamespace);
        StoreCodec.FromOptions(options);
        // The store's statements are few and run once per node or per call (the results insert, the batch reads): prepared once
        // per connection, PostgreSQL plans them once instead of parsing and planning each (unless the connection string says otherwise).
        var lease = AcquireSource(connectionString, prepare: true);

        var schema = PostgresSchema.SchemaName(storeNamespace);
        int schemaVersion;
        try
        {
            schemaVersion = await PostgresSchema.EnsureAsync(lease.Source, schema, storeNamespace, options.ReadOnly, cancellationToken).ConfigureAwait(false)
                ?? throw new StorageException($"There is no postgres store '{storeNamespace}' to open read-only.");
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            await PostgresDataSources.ReleaseAsync(lease).ConfigureAwait(false);
            throw new StorageException($"The postgres store '{storeNamespace}' cannot be opened: {e.Message}", null, e);
        }
        catch
        {
            await PostgresDataSources.ReleaseAsync(lease).ConfigureAwait(false);
            throw;
        }

        return new PostgresResultStore(lease, schema, storeNamespace, options, schemaVersion);
    }

    /// <summary>
    /// The connection settings of <paramref name="connectionString"/>, or of <see cref="ConnectionVariable"/>
    /// when it is null, with this application's name.
    /// </summary>
    /// <exception cref="StorageException">No connection string, or one that does not parse (the message names the bad keyword, never the password).</exception>
    internal static NpgsqlConnectionStringBuilder ConnectionBuilder(string? connectionString) => Resolve(connectionString, static (builder, _) => builder);

    /// <summary>
    /// The shared data source of <paramref name="connectionString"/> (as <see cref="ConnectionBuilder"/> resolves it); with
    /// <paramref name="prepare"/>, statements are prepared per connection (<see cref="AutoPrepared"/>) unless the connection string says otherwise.
    /// </summary>
    /// <exception cref="StorageException">No connection string, or one that is not valid.</exception>
    internal static PostgresDataSources.Lease AcquireSource(string? connectionString, bool prepare) => Resolve(connectionString, (builder, given) =>
    {
        if (prepare && !SetsAutoPrepare(given)) builder.MaxAutoPrepare = AutoPrepared;
        return PostgresDataSources.Acquire(builder);
    });

    private static T Resolve<T>(string? connectionString, Func<NpgsqlConnectionStringBuilder, string, T> use)
    {
        connectionString ??= Environment.GetEnvironmentVariable(ConnectionVariable);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new StorageException($"The postgres backend needs a connection string: pass one, or set {ConnectionVariable} (never put it on a command line).");
        }

        try
        {
            return use(new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = "VoxScheduler" }, connectionString);
        }
        catch (ArgumentException e)
        {
            // The message names the bad keyword, never the password.
            throw new StorageException($"The postgres connection string is not valid: {e.Message}", null, e);
        }
    }

    /// <summary>True when the connection string names Max Auto Prepare itself (Npgsql's builder answers ContainsKey for every keyword it knows).</summary>
    private static bool SetsAutoPrepare(string connectionString)
    {
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        return given.ContainsKey("Max Auto Prepare") || given.ContainsKey("MaxAutoPrepare");
    }

    /// <summary>
    /// True when the database holds the store <paramref name="storeNamespace"/>. Looks only: creates
    /// nothing (a reader can ask before opening, and a typo never leaves an empty store behind).
    /// </summary>
    public static async ValueTask<bool> ExistsAsync(string? connectionString, string storeNamespace, CancellationToken cancellationToken = default)
    {
        PostgresSchema.CheckNamespace(storeNamespace);
        var builder = ConnectionBuilder(connectionString);
        try
        {
            await using var connection = new NpgsqlConnection(builder.ConnectionString);
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'store_info'", connection);
            command.Parameters.AddWithValue(PostgresSchema.SchemaName(storeNamespace));
            return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))! > 0;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            throw new StorageException($"The postgres store '{storeNamespace}' cannot be looked up: {e.Message}", null, e);
        }
    }

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    internal long NowMilliseconds() => Now();

    /// <summary>Statements prepared on the pooled connection this takes (the tests check auto-prepare on a pool of one).</summary>
    internal Task<long> PreparedStatementsAsync() =>
        RunAsync(null, "cannot count the prepared statements", async connection =>
        {
            await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_prepared_statements", connection);
            return (long)(await command.ExecuteScalarAsync().ConfigureAwait(false))!;
        }, CancellationToken.None);

    internal int InlineThreshold => _options.InlineThreshold;

    ResultBatch IResultBatchSink.CreateBatch(ResultWriteOptions options) => new PostgresResultBatch(this, options.Resolve().Codec);

    Task IResultBatchSink.StoreBatchAsync(ResultBatch batch)
    {
        Writable(CancellationToken.None);
        // Durability is not the caller's cancellation's business (as for the sqlite writer): a batch handed over is committed,
        // together with the batches other callers (a silo's worker slots) hand over meanwhile.
        return _pending.Track(_group.EnqueueAsync((PostgresResultBatch)batch));
    }

    /// <summary>Group-commit counters of this store: writes made and batches written by them (the difference is what grouping saved).</summary>
    internal (long Writes, long Batches) GroupCommits => (_group.Writes, _group.Batches);

    internal async Task<NpgsqlConnection> OpenConnectionAsync(NodeId? nodeId, CancellationToken cancellationToken)
    {
        Readable(cancellationToken);
        try
        {
            return await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            throw Failure("cannot reach the database", nodeId, e);
        }
    }

    private StorageException Failure(string what, NodeId? nodeId, Exception e) =>
        new($"The postgres store '{Location}' {what}{(nodeId is { } id ? $" (node {id})" : string.Empty)}: {e.Message}", nodeId?.ToString(), e);

    /// <summary>Runs one database step on a pooled connection, turning database failures into storage errors that name the node.</summary>
    private async Task<T> RunAsync<T>(NodeId? nodeId, string what, Func<NpgsqlConnection, Task<T>> step, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(nodeId, cancellationToken).ConfigureAwait(false);
        try
        {
            return await step(connection).ConfigureAwait(false);
        }
        catch (NpgsqlException e)
        {
            throw Failure(what, nodeId, e);
        }
    }

    public ValueTask<bool> StoreAsync(NodeId nodeId, ReadOnlyMemory<byte> data, StorageMetadata metadata, CancellationToken cancellationToken = default)
        => StoreAsync(nodeId, data, metadata, Codec, cancellationToken);

    /// <inheritdoc />
    public ValueTask<bool> StoreAsync(NodeId nodeId, ReadOnlyMemory<byte> data, StorageMetadata metadata, ResultWriteOptions options, CancellationToken cancellationToken = default)
        => StoreAsync(nodeId, data, metadata, options.Resolve().Codec, cancellationToken);

    internal ValueTask<bool> StoreAsync(NodeId nodeId, ReadOnlyMemory<byte> data, StorageMetadata metadata, byte writeCodec, CancellationToken cancellationToken)
    {
        Writable(cancellationToken);
        // Tracked, so FlushAsync returns only once this write is committed (or has failed).
        return new ValueTask<bool>(_pending.Track(StoreCoreAsync(nodeId, data, metadata, writeCodec, cancellationToken)));
    }

    private async Task<bool> StoreCoreAsync(NodeId nodeId, ReadOnlyMemory<byte> data, StorageMetadata metadata, byte writeCodec, CancellationToken cancellationToken)
    {
        var json = UserMetadataJson.Serialize(metadata.Metadata);
        // Every value kind with the execution's codec, images too: their preference for none (StoreCodec.ForValue) is for local
        // stores that hand an image's bytes over as they lie; a value read from PostgreSQL is copied off the connection anyway,
        // and each byte stored costs PostgreSQL its WAL, its TOAST pages and the network (images of masks shrink 7-250x with lz4).
        var codec = writeCodec;
        return await RunAsync(nodeId, "cannot store a result", async connection =>
        {
            if (data.Length <= _options.InlineThreshold)
            {
                var compressed = StoreCodec.TryCompress(data.Span, codec);
                var row = new PostgresResultRow(nodeId, metadata, json, data.Length, compressed?.Length ?? data.Length,
                    compressed is null ? StoreCodec.Raw : codec, StoreHash.Compute(data.Span), compressed is null ? null : StoreHash.Compute(compressed),
                    null, compressed ?? data.ToArray());
                return await InsertRowAsync(connection, null, row, cancellationToken).ConfigureAwait(false);
            }

            // Large: the row and its chunks in one transaction; the row goes first, so a second
            // writer of the same id finds it (after waiting for our commit) and writes no chunks.
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            long blobId;
            await using (var next = new NpgsqlCommand($"SELECT nextval('{Schema}.blob_ids')", connection, transaction))
            {
                blobId = (long)(await next.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            }

            var encoder = new PostgresChunkEncoder(codec);
            var chunks = new List<(ReadOnlyMemory<byte> Stored, byte Codec, int Raw)>();
            for (var offset = 0; offset < data.Length; offset += PostgresChunkEncoder.ChunkSize)
            {
                var raw = data.Slice(offset, Math.Min(PostgresChunkEncoder.ChunkSize, data.Length - offset));
                var (stored, chunkCodec) = encoder.Encode(raw);
                chunks.Add((stored, chunkCodec, raw.Length));
            }

            var large = new PostgresResultRow(nodeId, metadata, json, encoder.Size, encoder.StoredSize, encoder.AnyCompressed ? codec : StoreCodec.Raw,
                encoder.ContentHash(), encoder.StoredHash(), blobId, null);
            if (!await InsertRowAsync(connection, transaction, large, cancellationToken).ConfigureAwait(false)) return false;
            await using (var insert = InsertChunkCommand(Schema, connection, transaction))
            {
                for (var i = 0; i < chunks.Count; i++)
                {
                    await InsertChunkAsync(insert, blobId, i, chunks[i].Raw, chunks[i].Codec, chunks[i].Stored, cancellationToken).ConfigureAwait(false);
                }
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    internal static NpgsqlCommand InsertChunkCommand(string schema, NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        var command = new NpgsqlCommand($"INSERT INTO {schema}.chunks(blob_id, ordinal, raw_size, codec, data) VALUES ($1, $2, $3, $4, $5)", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Integer });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Integer });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Smallint });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bytea });
        return command;
    }

    internal static async Task InsertChunkAsync(NpgsqlCommand insert, long blobId, int ordinal, int rawSize, byte codec, ReadOnlyMemory<byte> stored,
        CancellationToken cancellationToken)
    {
        insert.Parameters[0].Value = blobId;
        insert.Parameters[1].Value = ordinal;
        insert.Parameters[2].Value = rawSize;
        insert.Parameters[3].Value = (short)codec;
        insert.Parameters[4].Value = stored;
        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Inserts a result row unless one with its id exists; true when this call stored it.</summary>
    internal async Task<bool> InsertRowAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, PostgresResultRow row, CancellationToken cancellationToken)
    {
        var now = Now();
        await using var command = new NpgsqlCommand(
            $"INSERT INTO {Schema}.results({MetadataColumns}, blob_id, data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10, $11, $12, $13, $14) " +
            "ON CONFLICT (node_id) DO NOTHING", connection, transaction);
        var p = command.Parameters;
        p.AddWithValue(row.NodeId.ToByteArray());
        p.AddWithValue((int)row.Metadata.DataType);
        p.AddWithValue(row.Size);
        p.AddWithValue(row.StoredSize);
        p.AddWithValue((short)row.Compression);
        p.AddWithValue(row.ContentHash);
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bytea, Value = (object?)row.Checksum ?? DBNull.Value });
        p.AddWithValue(now);
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)row.Metadata.DagId ?? DBNull.Value });
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)row.Metadata.ExecutionId ?? DBNull.Value });
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)row.Metadata.Operator ?? DBNull.Value });
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)row.MetadataJson ?? DBNull.Value });
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = (object?)row.BlobId ?? DBNull.Value });
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bytea, Value = (object?)row.Data ?? DBNull.Value });
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public ValueTask<IResultWriter> OpenWriteAsync(NodeId nodeId, StorageMetadata metadata, CancellationToken cancellationToken = default)
        => OpenWriteAsync(nodeId, metadata, Codec, cancellationToken);

    /// <inheritdoc />
    public ValueTask<IResultWriter> OpenWriteAsync(NodeId nodeId, StorageMetadata metadata, ResultWriteOptions options, CancellationToken cancellationToken = default)
        => OpenWriteAsync(nodeId, metadata, options.Resolve().Codec, cancellationToken);

    private ValueTask<IResultWriter> OpenWriteAsync(NodeId nodeId, StorageMetadata metadata, byte codec, CancellationToken cancellationToken)
    {
        Writable(cancellationToken);
        return ValueTask.FromResult<IResultWriter>(new PostgresResultWriter(this, nodeId, metadata, UserMetadataJson.Serialize(metadata.Metadata), codec));
    }

    public async ValueTask<byte[]?> RetrieveAsync(NodeId nodeId, CancellationToken cancellationToken = default)
    {
        await using var stream = await OpenReadAsync(nodeId, cancellationToken).ConfigureAwait(false);
        if (stream is null) return null;
        if (stream is MemoryStream memory) return memory.ToArray();
        var result = GC.AllocateUninitializedArray<byte>(checked((int)stream.Length));
        await stream.ReadExactlyAsync(result, cancellationToken).ConfigureAwait(false);
        if (await stream.ReadAsync(new byte[1], cancellationToken).ConfigureAwait(false) != 0)
        {
            throw new StorageCorruptionException("Stored result is longer than recorded", nodeId);
        }

        return result;
    }

    public async ValueTask<Stream?> OpenReadAsync(NodeId nodeId, CancellationToken cancellationToken = default)
    {
        var connection = await OpenConnectionAsync(nodeId, cancellationToken).ConfigureAwait(false);
        NpgsqlTransaction? transaction = null;
        var handedOver = false;
        try
        {
            transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand(
                $"SELECT size, stored_size, compression, content_hash, checksum, accessed_at, blob_id, data FROM {Schema}.results WHERE node_id = $1",
                connection, transaction);
            command.Parameters.AddWithValue(nodeId.ToByteArray());
            long size, storedSize, accessedAt;
            byte compression;
            byte[] contentHash;
            byte[]? checksum, data;
            long? blobId;
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) return null;
                size = reader.GetInt64(0);
                storedSize = reader.GetInt64(1);
                compression = (byte)reader.GetInt16(2);
                contentHash = (byte[])reader.GetValue(3);
                checksum = reader.IsDBNull(4) ? null : (byte[])reader.GetValue(4);
                accessedAt = reader.GetInt64(5);
                blobId = reader.IsDBNull(6) ? null : reader.GetInt64(6);
                data = reader.IsDBNull(7) ? null : (byte[])reader.GetValue(7);
            }

            Touch(nodeId, accessedAt);
            if (blobId is null)
            {
                return new MemoryStream(DecodeInline(nodeId, data ?? [], size, storedSize, compression, checksum ?? contentHash), writable: false);
            }

            var stream = new PostgresChunkReadStream(connection, transaction, Schema, blobId.Value, nodeId, size, contentHash, Quarantine);
            handedOver = true;
            return stream;
        }
        catch (NpgsqlException e)
        {
            throw Failure("cannot read a result", nodeId, e);
        }
        finally
        {
            if (!handedOver)
            {
                if (transaction is not null) await transaction.DisposeAsync().ConfigureAwait(false);
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private byte[] DecodeInline(NodeId nodeId, byte[] data, long size, long storedSize, byte compression, byte[] storedHash)
    {
        if (data.Length != storedSize) throw Damaged(nodeId, $"Stored result has {data.Length} bytes, {storedSize} were written");
        if (!StoreHash.Compute(data).AsSpan().SequenceEqual(storedHash)) throw Damaged(nodeId, "Stored result failed its checksum");
        if (compression == StoreCodec.Raw) return data;
        var result = GC.AllocateUninitializedArray<byte>(checked((int)size));
        if (!StoreCodec.TryDecompress(data, compression, result)) throw Damaged(nodeId, "Stored result does not decompress");
        return result;
    }

    private StorageCorruptionException Damaged(NodeId nodeId, string message)
    {
        Quarantine(nodeId);
        return new StorageCorruptionException(message, nodeId);
    }

    /// <summary>Removes a damaged result so it is computed again (before the reader gets its error, so a retry finds it gone).</summary>
    private void Quarantine(NodeId nodeId)
    {
        if (_options.ReadOnly || Volatile.Read(ref _disposed) != 0) return;
        try
        {
            DeleteManyAsync([nodeId], CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (StorageException)
        {
            // Best effort: the next read reports the damage again.
        }
    }

    private void Touch(NodeId nodeId, long accessedAt)
    {
        if (_access is not null && Now() - accessedAt >= _accessResolutionMs) _access.Touch(nodeId);
    }

    private void TouchMany(IReadOnlyCollection<NodeId> ids)
    {
        using var connection = _source.OpenConnection();
        using var command = new NpgsqlCommand($"UPDATE {Schema}.results SET accessed_at = $1 WHERE node_id = ANY($2)", connection);
        command.Parameters.AddWithValue(Now());
        command.Parameters.AddWithValue(ids.Select(id => id.ToByteArray()).ToArray());
        command.ExecuteNonQuery();
    }

    public IAsyncEnumerable<ReadOnlyMemory<byte>> StreamAsync(NodeId nodeId, int chunkSize = 1024 * 1024, CancellationToken cancellationToken = default)
        => StoreStreaming.StreamAsync(this, nodeId, chunkSize, cancellationToken);

    public async ValueTask<bool> ExistsAsync(NodeId nodeId, CancellationToken cancellationToken = default)
        => (await ExistsManyAsync([nodeId], cancellationToken).ConfigureAwait(false))[0];

    public async ValueTask<bool[]> ExistsManyAsync(IReadOnlyList<NodeId> nodeIds, CancellationToken cancellationToken = default)
    {
        Readable(cancellationToken);
        var answers = new bool[nodeIds.Count];
        if (answers.Length == 0) return answers;
        var ids = new byte[nodeIds.Count][];
        for (var i = 0; i < ids.Length; i++) ids[i] = nodeIds[i].ToByteArray();
        var found = await RunAsync(nodeIds.Count == 1 ? nodeIds[0] : null, "cannot check for results", async connection =>
        {
            await using var command = new NpgsqlCommand($"SELECT node_id FROM {Schema}.results WHERE node_id = ANY($1)", connection);
            command.Parameters.AddWithValue(ids);
            var set = new HashSet<NodeId>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) set.Add(NodeId.FromBytes((byte[])reader.GetValue(0)));
            return set;
        }, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < answers.Length; i++) answers[i] = found.Contains(nodeIds[i]);
        return answers;
    }

    public async ValueTask<bool> DeleteAsync(NodeId nodeId, CancellationToken cancellationToken = default)
    {
        Writable(cancellationToken);
        var (count, _) = await DeleteManyAsync([nodeId], cancellationToken).ConfigureAwait(false);
        return count == 1;
    }

    private Task<(int Count, long Bytes)> DeleteManyAsync(IReadOnlyList<NodeId> nodeIds, CancellationToken cancellationToken) =>
        RunAsync(nodeIds.Count == 1 ? nodeIds[0] : null, "cannot delete results", async connection =>
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand(
                $"WITH gone AS (DELETE FROM {Schema}.results WHERE node_id = ANY($1) RETURNING blob_id, stored_size), " +
                $"chunks_gone AS (DELETE FROM {Schema}.chunks WHERE blob_id IN (SELECT blob_id FROM gone WHERE blob_id IS NOT NULL)) " +
                "SELECT count(*), coalesce(sum(stored_size), 0) FROM gone", connection, transaction);
            command.Parameters.AddWithValue(nodeIds.Select(id => id.ToByteArray()).ToArray());
            (int, long) outcome;
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                outcome = ((int)reader.GetInt64(0), reader.GetInt64(1));
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return outcome;
        }, cancellationToken);

    public async IAsyncEnumerable<StorageMetadata> ListAsync(ResultQuery? query = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        query ??= ResultQuery.All;
        var sql = $"SELECT seq, {MetadataColumns} FROM {Schema}.results WHERE seq > $1"
            // A DAG's results include those an execution of it reused from the store (its goals and named nodes).
            + (query.DagId is null ? string.Empty
                : $" AND (dag_id = $2 OR node_id IN (SELECT n.node_id FROM {Schema}.execution_nodes n JOIN {Schema}.executions e ON e.execution_id = n.execution_id WHERE e.dag_id = $2))")
            + (query.ExecutionId is null ? string.Empty
                : $" AND (execution_id = $3 OR node_id IN (SELECT node_id FROM {Schema}.execution_nodes WHERE execution_id = $3))")
            + " ORDER BY seq LIMIT $4";
        const int PageSize = 512;
        long after = 0;
        var remaining = query.Limit > 0 ? query.Limit : long.MaxValue;
        while (remaining > 0)
        {
            Readable(cancellationToken);
            // Keyset pages: no connection is held while the caller consumes a page.
            var page = await RunAsync(null, "cannot list results", async connection =>
            {
                await using var command = new NpgsqlCommand(sql, connection);
                command.Parameters.AddWithValue(after);
                command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)query.DagId ?? DBNull.Value });
                command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)query.ExecutionId ?? DBNull.Value });
                command.Parameters.AddWithValue(Math.Min(PageSize, remaining));
                var list = new List<(long Seq, StorageMetadata Meta)>(PageSize);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) list.Add((reader.GetInt64(0), ReadMetadata(reader, 1)));
                return list;
            }, cancellationToken).ConfigureAwait(false);
            foreach (var (seq, meta) in page)
            {
                after = seq;
                yield return meta;
            }

            remaining -= page.Count;
            if (page.Count < PageSize) yield break;
        }
    }

    private static StorageMetadata ReadMetadata(NpgsqlDataReader r, int o) => new()
    {
        NodeId = NodeId.FromBytes((byte[])r.GetValue(o)),
        DataType = (DataType)r.GetInt32(o + 1),
        Size = r.GetInt64(o + 2),
        StoredSize = r.GetInt64(o + 3),
        Compression = StoreCodec.Name((byte)r.GetInt16(o + 4)),
        ContentHash = StoreHash.ToHex((byte[])r.GetValue(o + 5)),
        Checksum = StoreHash.ToHex(r.IsDBNull(o + 6) ? (byte[])r.GetValue(o + 5) : (byte[])r.GetValue(o + 6)),
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(o + 7)),
        LastAccessedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(o + 8)),
        DagId = r.IsDBNull(o + 9) ? null : r.GetString(o + 9),
        ExecutionId = r.IsDBNull(o + 10) ? null : r.GetString(o + 10),
        Operator = r.IsDBNull(o + 11) ? null : r.GetString(o + 11),
        Metadata = r.IsDBNull(o + 12) ? null : UserMetadataJson.Parse(r.GetString(o + 12)),
    };

    public async ValueTask<StorageMetadata?> GetMetadataAsync(NodeId nodeId, CancellationToken cancellationToken = default)
    {
        Readable(cancellationToken);
        return await RunAsync(nodeId, "cannot read metadata", async connection =>
        {
            await using var command = new NpgsqlCommand($"SELECT {MetadataColumns} FROM {Schema}.results WHERE node_id = $1", connection);
            command.Parameters.AddWithValue(nodeId.ToByteArray());
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadMetadata(reader, 0) : null;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<bool> UpdateMetadataAsync(NodeId nodeId, IReadOnlyDictionary<string, object?> metadata, CancellationToken cancellationToken = default)
    {
        Writable(cancellationToken);
        UserMetadataJson.Serialize(metadata);
        return await RunAsync(nodeId, "cannot update metadata", async connection =>
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            string? current;
            await using (var select = new NpgsqlCommand($"SELECT metadata FROM {Schema}.results WHERE node_id = $1 FOR UPDATE", connection, transaction))
            {
                select.Parameters.AddWithValue(nodeId.ToByteArray());
                await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) return false;
                current = reader.IsDBNull(0) ? null : reader.GetString(0);
            }

            var merged = UserMetadataJson.Merge(UserMetadataJson.Parse(current), metadata);
            await using (var update = new NpgsqlCommand($"UPDATE {Schema}.results SET metadata = $2 WHERE node_id = $1", connection, transaction))
            {
                update.Parameters.AddWithValue(nodeId.ToByteArray());
                update.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)UserMetadataJson.Serialize(merged) ?? DBNull.Value });
                await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every write is durable when its call returns (committed), so there is nothing to wait for.</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        Readable(cancellationToken);
        // Each write commits on its own connection; a flush waits for those already accepted.
        await _pending.WhenDrainedAsync(cancellationToken).ConfigureAwait(false);
        _access?.Flush();
    }

    public async ValueTask<EvictionReport> EvictAsync(EvictionPolicy policy, CancellationToken cancellationToken = default)
    {
        Writable(cancellationToken);
        _access?.Flush();
        var (_, total) = await TotalsAsync(cancellationToken).ConfigureAwait(false);
        var older = policy.OlderThan is { } age
            ? await CandidatesAsync($"SELECT node_id, stored_size FROM {Schema}.results WHERE accessed_at < $1", (Now() - (long)age.TotalMilliseconds), cancellationToken).ConfigureAwait(false)
            : [];
        List<(NodeId, long)>? lru = null;
        if (policy.MaxTotalBytes is not null)
        {
            // Ties broken by age.
            lru = await CandidatesAsync($"SELECT node_id, stored_size FROM {Schema}.results WHERE $1 = $1 ORDER BY accessed_at, created_at", 0, cancellationToken).ConfigureAwait(false);
        }

        var victims = EvictionPlanner.Plan(policy, total, _time.GetUtcNow(), _ => older, () => lru ?? []);
        var removed = 0;
        long removedBytes = 0;
        for (var i = 0; i < victims.Count; i += 512)
        {
            var (n, bytes) = await DeleteManyAsync(victims.GetRange(i, Math.Min(512, victims.Count - i)), cancellationToken).ConfigureAwait(false);
            removed += n;
            removedBytes += bytes;
        }

        var (count, remaining) = await TotalsAsync(cancellationToken).ConfigureAwait(false);
        return new EvictionReport(removed, removedBytes, (int)count, remaining);
    }

    private Task<(long Count, long Bytes)> TotalsAsync(CancellationToken cancellationToken) =>
        RunAsync(null, "cannot count results", async connection =>
        {
            await using var command = new NpgsqlCommand($"SELECT count(*), coalesce(sum(stored_size), 0)::bigint FROM {Schema}.results", connection);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            return (reader.GetInt64(0), reader.GetInt64(1));
        }, cancellationToken);

    private Task<List<(NodeId Id, long Size)>> CandidatesAsync(string sql, long parameter, CancellationToken cancellationToken) =>
        RunAsync(null, "cannot plan an eviction", async connection =>
        {
            await using var command = new NpgsqlCommand(sql, connection);
            command.Parameters.AddWithValue(parameter);
            var list = new List<(NodeId, long)>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) list.Add((NodeId.FromBytes((byte[])reader.GetValue(0)), reader.GetInt64(1)));
            return list;
        }, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        // Writes already accepted finish before their connections' pool goes away.
        await _pending.WhenDrainedAsync(CancellationToken.None).ConfigureAwait(false);
        if (_access is not null)
        {
            _access.Dispose();
            _access.Flush();
        }

        // The pool is shared with the process's other stores on this database (PostgresDataSources).
        await PostgresDataSources.ReleaseAsync(_lease).ConfigureAwait(false);
    }

    private void Writable(CancellationToken cancellationToken)
    {
        Readable(cancellationToken);
        if (_options.ReadOnly) throw new StorageException($"The postgres store '{Location}' was opened read-only.");
    }

    private void Readable(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
    }
}
