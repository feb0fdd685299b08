using Microsoft.Data.Sqlite;
using VoxScheduler.Dag;
using VoxScheduler.Values;

namespace VoxScheduler.Storage;

/// <summary>
/// A read connection with its prepared statements, rented from the store's pool by one
/// caller at a time. WAL lets any number of these read while the writer commits.
/// </summary>
internal sealed class SqliteReadSession : IDisposable
{
    public const string MetadataColumns =
        "node_id, data_type, size, stored_size, compression, content_hash, checksum, created_at, accessed_at, dag_id, execution_id, operator, metadata, location, blob_id, file_name";

    private readonly List<SqliteCommand> _commands = [];
    private readonly SqliteCommand _chunk;
    private readonly SqliteRawStatement _begin, _end, _exists, _ref, _metadata, _chunkInfo;

    // Schema 3 only: the id holding a key, and whether any result is stored without a key.
    private readonly SqliteRawStatement? _keyHolder, _anyUnkeyed;
    private readonly Dictionary<string, SqliteCommand> _adHoc = [];

    private const string RefColumns = "size, stored_size, compression, content_hash, checksum, location, blob_id, file_name, accessed_at, data";

    /// <param name="connection">An open connection to the store's database.</param>
    /// <param name="schemaVersion">The database's schema version: the current one, or an older one opened read-only as it is.</param>
    public SqliteReadSession(SqliteConnection connection, int schemaVersion)
    {
        Connection = connection;
        _begin = new SqliteRawStatement(connection, "BEGIN");
        _end = new SqliteRawStatement(connection, "COMMIT");

        // Every lookup binds the id's store key as ?1 and the id as ?2 (a schema 2 store needs only the id).
        Func<string, string> byId = schemaVersion >= 3
            ? columns => SqliteSchema.SelectResult(columns, "?1", "?2")
            : columns => SqliteSchema.SelectResultVersion2(columns, "?2");
        _exists = new SqliteRawStatement(connection, byId("1"));
        _ref = new SqliteRawStatement(connection, byId(RefColumns));
        _metadata = new SqliteRawStatement(connection, byId(MetadataColumns));
        if (schemaVersion >= 3)
        {
            _keyHolder = new SqliteRawStatement(connection, SqliteSchema.KeyHolder);
            _anyUnkeyed = new SqliteRawStatement(connection, SqliteSchema.AnyUnkeyed);
        }

        _chunkInfo = new SqliteRawStatement(connection, "SELECT raw_size, codec, length(data) FROM chunks WHERE chunk_key = ?1");
        _chunk = Prepare("SELECT raw_size, codec, data FROM chunks WHERE chunk_key = $key", "$key");
    }

    public SqliteConnection Connection { get; }

    public void BeginRead()
    {
        if (!SqliteStoreConnection.InTransaction(Connection)) _begin.Execute();
    }

    public void EndRead()
    {
        if (SqliteStoreConnection.InTransaction(Connection)) _end.Execute();
    }

    public bool Exists(NodeId id)
    {
        _exists.BindKeyAndId(1, id);
        return _exists.HasRow();
    }

    /// <summary>
    /// Answers whether each id is stored, inside the caller's read transaction. With no result
    /// stored without a key (the rule), an id is stored exactly when the row under its key is
    /// its own: one integer index seek per id instead of the two-branch lookup.
    /// </summary>
    public void ExistsMany(IReadOnlyList<NodeId> ids, bool[] answers, CancellationToken cancellationToken)
    {
        var byKey = _keyHolder is not null && !_anyUnkeyed!.HasRow();
        for (var i = 0; i < ids.Count; i++)
        {
            if ((i & 1023) == 1023) cancellationToken.ThrowIfCancellationRequested();
            answers[i] = byKey ? SqliteSchema.HoldsOwnKey(_keyHolder!, ids[i]) : Exists(ids[i]);
        }
    }

    public SqliteStoredRef? ReadRef(NodeId id)
    {
        var r = _ref;
        try
        {
            r.BindKeyAndId(1, id);
            if (!r.Step()) return null;
            return new SqliteStoredRef
            {
                Size = r.Int64(0),
                StoredSize = r.Int64(1),
                Compression = (byte)r.Int32(2),
                ContentHash = r.Blob(3).ToArray(),
                Checksum = r.BlobOrNull(4),
                Location = r.Int32(5),
                BlobId = r.IsNull(6) ? 0 : r.Int64(6),
                FileName = r.Text(7),
                AccessedAt = r.Int64(8),
                InlineData = r.IsNull(9) ? null : r.Blob(9).ToArray(),
            };
        }
        finally
        {
            r.Reset();
        }
    }

    public StorageMetadata? GetMetadata(NodeId id)
    {
        var r = _metadata;
        try
        {
            r.BindKeyAndId(1, id);
            if (!r.Step()) return null;
            var hash = r.Blob(5).ToArray();
            return new StorageMetadata
            {
                NodeId = NodeId.FromBytes(r.Blob(0)),
                DataType = (DataType)r.Int32(1),
                Size = r.Int64(2),
                StoredSize = r.Int64(3),
                Compression = StoreCodec.Name((byte)r.Int32(4)),
                ContentHash = StoreHash.ToHex(hash),
                Checksum = StoreHash.ToHex(r.BlobOrNull(6) ?? hash),
                CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.Int64(7)),
                LastAccessedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.Int64(8)),
                DagId = r.Text(9),
                ExecutionId = r.Text(10),
                Operator = r.Text(11),
                Metadata = r.IsNull(12) ? null : UserMetadataJson.Parse(r.Text(12)),
            };
        }
        finally
        {
            r.Reset();
        }
    }

    /// <summary>A stored chunk's raw size, codec and stored length, or null when it is missing (a truncated result).</summary>
    public (int RawSize, byte Codec, int StoredLength)? ChunkInfo(long key)
    {
        try
        {
            _chunkInfo.Bind(1, key);
            if (!_chunkInfo.Step()) return null;
            return (_chunkInfo.Int32(0), (byte)_chunkInfo.Int32(1), _chunkInfo.Int32(2));
        }
        finally
        {
            _chunkInfo.Reset();
        }
    }

    /// <summary>Opens a chunk's stored bytes for incremental reading (straight from SQLite's pages into the caller's buffer).</summary>
    public SqliteBlob OpenChunk(long key) => new(Connection, "chunks", "data", key, readOnly: true);

    /// <summary>One stored chunk, or null when it is missing (a truncated result).</summary>
    public (int RawSize, byte Codec, byte[] Data)? ReadChunk(long key)
    {
        _chunk.Parameters[0].Value = key;
        using var reader = _chunk.ExecuteReader();
        if (!reader.Read()) return null;
        return (reader.GetInt32(0), (byte)reader.GetInt32(1), (byte[])reader.GetValue(2));
    }

    /// <summary>A prepared statement for a query shape used repeatedly (listing pages, eviction scans).</summary>
    public SqliteCommand Command(string sql, params string[] parameters)
    {
        if (!_adHoc.TryGetValue(sql, out var command))
        {
            command = Prepare(sql, parameters);
            _adHoc[sql] = command;
        }

        return command;
    }

    public static StorageMetadata ReadMetadata(SqliteDataReader reader, int offset = 0) => new()
    {
        NodeId = NodeId.FromBytes((byte[])reader.GetValue(offset)),
        DataType = (DataType)reader.GetInt32(offset + 1),
        Size = reader.GetInt64(offset + 2),
        StoredSize = reader.GetInt64(offset + 3),
        Compression = StoreCodec.Name((byte)reader.GetInt32(offset + 4)),
        ContentHash = StoreHash.ToHex((byte[])reader.GetValue(offset + 5)),
        Checksum = StoreHash.ToHex(reader.IsDBNull(offset + 6) ? (byte[])reader.GetValue(offset + 5) : (byte[])reader.GetValue(offset + 6)),
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(offset + 7)),
        LastAccessedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(offset + 8)),
        DagId = reader.IsDBNull(offset + 9) ? null : reader.GetString(offset + 9),
        ExecutionId = reader.IsDBNull(offset + 10) ? null : reader.GetString(offset + 10),
        Operator = reader.IsDBNull(offset + 11) ? null : reader.GetString(offset + 11),
        Metadata = reader.IsDBNull(offset + 12) ? null : UserMetadataJson.Parse(reader.GetString(offset + 12)),
    };

    public void Dispose()
    {
        foreach (var command in _commands) command.Dispose();
        foreach (var statement in new[] { _begin, _end, _exists, _ref, _metadata, _chunkInfo, _keyHolder, _anyUnkeyed }) statement?.Dispose();
        Connection.Dispose();
    }

    private SqliteCommand Prepare(string sql, params string[] parameters)
    {
        var command = Connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters) command.Parameters.Add(new SqliteParameter(name, null));
        _commands.Add(command);
        return command;
    }
}
