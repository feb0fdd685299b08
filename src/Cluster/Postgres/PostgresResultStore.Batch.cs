using Npgsql;
using VoxScheduler.Dag;
using VoxScheduler.Storage;

namespace VoxScheduler.Cluster.Postgres;

/// <summary>Reading many small results in one query (a worker's batch of nodes reads its inputs this way).</summary>
public sealed partial class PostgresResultStore
{
    /// <summary>
    /// The inline (small) results among <paramref name="nodeIds"/>, read in one query and verified
    /// like every read; ids that are absent or stored in chunks are left out (read those one by one).
    /// </summary>
    internal async Task<Dictionary<NodeId, byte[]>> RetrieveInlineManyAsync(IReadOnlyCollection<NodeId> nodeIds, CancellationToken cancellationToken)
    {
        Readable(cancellationToken);
        var found = new Dictionary<NodeId, byte[]>(nodeIds.Count);
        if (nodeIds.Count == 0) return found;
        var rows = await RunAsync(null, "cannot read results", async connection =>
        {
            await using var command = new NpgsqlCommand(
                $"SELECT node_id, size, stored_size, compression, content_hash, checksum, accessed_at, data FROM {Schema}.results " +
                "WHERE node_id = ANY($1) AND blob_id IS NULL", connection);
            command.Parameters.AddWithValue(nodeIds.Select(id => id.ToByteArray()).ToArray());
            var list = new List<(NodeId Id, long Size, long Stored, byte Compression, byte[] Hash, long Accessed, byte[] Data)>(nodeIds.Count);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var hash = reader.IsDBNull(5) ? (byte[])reader.GetValue(4) : (byte[])reader.GetValue(5);
                list.Add((NodeId.FromBytes((byte[])reader.GetValue(0)), reader.GetInt64(1), reader.GetInt64(2), (byte)reader.GetInt16(3), hash,
                    reader.GetInt64(6), reader.IsDBNull(7) ? [] : (byte[])reader.GetValue(7)));
            }

            return list;
        }, cancellationToken).ConfigureAwait(false);
        foreach (var row in rows)
        {
            Touch(row.Id, row.Accessed);
            found[row.Id] = DecodeInline(row.Id, row.Data, row.Size, row.Stored, row.Compression, row.Hash);
        }

        return found;
    }
}
