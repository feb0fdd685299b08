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
    private readonly SqliteCommand _begin, _end, _exists, _ref, _metadata, _chunk;
    private readonly Dictionary<string, SqliteCommand> _adHoc = [];

    public SqliteReadSession(SqliteConnection connection)
    {
        Connection = connection;
        _begin = Prepare("BEGIN");
        _end = Prepare("COMMIT");
        _exists = Prepare("SELECT 1 FROM results WHERE node_id = $id", "$id");
        _ref = Prepare("SELECT size, stored_size, compression, content_hash, checksum, location, blob_id, file_name, data FROM results WHERE node_id = $id", "$id");
        _metadata = Prepare($"SELECT {MetadataColumns} FROM results WHERE node_id = $id", "$id");
        _chunk = Prepare("SELECT raw_size, codec, data FROM chunks WHERE chunk_key = $key", "$key");
    }

    public SqliteConnection Connection { get; }

    public void BeginRead()
    {
        if (!SqliteStoreConnection.InTransaction(Connection)) _begin.ExecuteNonQuery();
    }

    public void EndRead()
    {
        if (SqliteStoreConnection.InTransaction(Connection)) _end.ExecuteNonQuery();
    }

    public bool Exists(NodeId id)
    {
        _exists.Parameters[0].Value = id.ToByteArray();
        return _exists.ExecuteScalar() is not null;
    }

    public SqliteStoredRef? ReadRef(NodeId id)
    {
        _ref.Parameters[0].Value = id.ToByteArray();
        using var reader = _ref.ExecuteReader();
        if (!reader.Read()) return null;
        return new SqliteStoredRef
        {
            Size = reader.GetInt64(0),
            StoredSize = reader.GetInt64(1),
            Compression = (byte)reader.GetInt32(2),
            ContentHash = (byte[])reader.GetValue(3),
            Checksum = reader.IsDBNull(4) ? null : (byte[])reader.GetValue(4),
            Location = reader.GetInt32(5),
            BlobId = reader.IsDBNull(6) ? 0 : reader.GetInt64(6),
            FileName = reader.IsDBNull(7) ? null : reader.GetString(7),
            InlineData = reader.IsDBNull(8) ? null : (byte[])reader.GetValue(8),
        };
    }

    public StorageMetadata? GetMetadata(NodeId id)
    {
        _metadata.Parameters[0].Value = id.ToByteArray();
        using var reader = _metadata.ExecuteReader();
        return reader.Read() ? ReadMetadata(reader) : null;
    }

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
