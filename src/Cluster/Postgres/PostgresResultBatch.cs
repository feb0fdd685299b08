using Npgsql;
using VoxScheduler.Dag;
using VoxScheduler.Values;
using VoxScheduler.Storage;

namespace VoxScheduler.Cluster.Postgres;

/// <summary>
/// Small results on their way to a postgres store together: one
/// <c>INSERT … SELECT FROM unnest(…) ON CONFLICT DO NOTHING</c> per batch, one round trip and one
/// commit for hundreds of rows (group commit, as the sqlite writer does). Results too large to be
/// inline are refused, so the persister stores them one by one.
/// </summary>
internal sealed class PostgresResultBatch(PostgresResultStore store, byte codec) : ResultBatch
{
    private readonly List<PostgresResultRow> _rows = [];
    private long _createdAt;

    public override int Count => _rows.Count;

    public string? DagId { get; private set; }

    public string? ExecutionId { get; private set; }

    public override void Reset(string? dagId, string? executionId)
    {
        _rows.Clear();
        DagId = dagId;
        ExecutionId = executionId;
        _createdAt = store.NowMilliseconds();
    }

    public override bool TryAdd(NodeId nodeId, ReadOnlySpan<byte> data, DataType dataType, string? @operator)
    {
        if (data.Length > store.InlineThreshold) return false;
        var chosen = StoreCodec.ForValue(data, codec);
        var compressed = StoreCodec.TryCompress(data, chosen);
        var metadata = new StorageMetadata { NodeId = nodeId, DataType = dataType, Operator = @operator, DagId = DagId, ExecutionId = ExecutionId };
        _rows.Add(new PostgresResultRow(nodeId, metadata, null, data.Length, compressed?.Length ?? data.Length,
            compressed is null ? StoreCodec.Raw : chosen, StoreHash.Compute(data), compressed is null ? null : StoreHash.Compute(compressed),
            null, compressed ?? data.ToArray()));
        return true;
    }

    public async Task StoreAsync(NpgsqlConnection connection, string schema, CancellationToken cancellationToken)
    {
        if (_rows.Count == 0) return;
        await using var command = new NpgsqlCommand(
            $"INSERT INTO {schema}.results(node_id, data_type, size, stored_size, compression, content_hash, checksum, created_at, accessed_at, " +
            "dag_id, execution_id, operator, data) " +
            "SELECT id, t, s, ss, c, h, k, $8, $8, $9, $10, o, d FROM unnest($1::bytea[], $2::integer[], $3::bigint[], $4::bigint[], $5::smallint[], " +
            "$6::bytea[], $7::bytea[], $11::text[], $12::bytea[]) AS u(id, t, s, ss, c, h, k, o, d) " +
            "ON CONFLICT (node_id) DO NOTHING", connection);
        var p = command.Parameters;
        p.AddWithValue(_rows.Select(r => r.NodeId.ToByteArray()).ToArray());
        p.AddWithValue(_rows.Select(r => (int)r.Metadata.DataType).ToArray());
        p.AddWithValue(_rows.Select(r => r.Size).ToArray());
        p.AddWithValue(_rows.Select(r => r.StoredSize).ToArray());
        p.AddWithValue(_rows.Select(r => (short)r.Compression).ToArray());
        p.AddWithValue(_rows.Select(r => r.ContentHash).ToArray());
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Bytea, Value = _rows.Select(r => r.Checksum).ToArray() });
        p.AddWithValue(_createdAt);
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text, Value = (object?)DagId ?? DBNull.Value });
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text, Value = (object?)ExecutionId ?? DBNull.Value });
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text, Value = _rows.Select(r => r.Metadata.Operator).ToArray() });
        p.AddWithValue(_rows.Select(r => r.Data!).ToArray());
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
