using System.Runtime.CompilerServices;
using Npgsql;
using NpgsqlTypes;
using VoxScheduler.Dag;
using VoxScheduler.Storage;

namespace VoxScheduler.Cluster.Postgres;

/// <summary>Execution history in a postgres store: the same records, names and node history as sqlite keeps.</summary>
public sealed partial class PostgresResultStore
{
    /// <summary>
    /// Inserts or updates an execution's record. A record that has ended (any status but Pending or
    /// Running) is final and never rewritten: a record the surviving silos ended Interrupted because
    /// its coordinator was declared dead (<see cref="PostgresLostCoordinators"/>) stays so even if
    /// that silo, cut off rather than dead, still writes a checkpoint or its end before it stops.
    /// </summary>
    public async ValueTask RecordExecutionAsync(ExecutionRecord record, CancellationToken cancellationToken = default)
    {
        Writable(cancellationToken);
        await RunAsync(null, $"cannot record execution {record.ExecutionId}", async connection =>
        {
            await using var command = new NpgsqlCommand(
                $"INSERT INTO {Schema}.executions({ExecutionColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) " +
                "ON CONFLICT (execution_id) DO UPDATE SET name = EXCLUDED.name, dag_id = EXCLUDED.dag_id, status = EXCLUDED.status, " +
                "submitted_at = EXCLUDED.submitted_at, completed_at = EXCLUDED.completed_at, total_nodes = EXCLUDED.total_nodes, " +
                "completed_nodes = EXCLUDED.completed_nodes, cached_nodes = EXCLUDED.cached_nodes, failed_nodes = EXCLUDED.failed_nodes, " +
                "skipped_nodes = EXCLUDED.skipped_nodes, source = EXCLUDED.source, error = EXCLUDED.error, owner = EXCLUDED.owner, " +
                "memory_usage_bytes = EXCLUDED.memory_usage_bytes, coordinator = EXCLUDED.coordinator " +
                $"WHERE {Schema}.executions.status IN ('Pending', 'Running')", connection);
            var p = command.Parameters;
            p.AddWithValue(record.ExecutionId);
            p.Add(Text(record.Name));
            p.Add(Text(record.DagId));
            p.AddWithValue(record.Status);
            p.AddWithValue(record.SubmittedAt.ToUnixTimeMilliseconds());
            p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = record.CompletedAt is { } c ? c.ToUnixTimeMilliseconds() : DBNull.Value });
            p.AddWithValue(record.TotalNodes);
            p.AddWithValue(record.CompletedNodes);
            p.AddWithValue(record.CachedNodes);
            p.AddWithValue(record.FailedNodes);
            p.AddWithValue(record.SkippedNodes);
            p.Add(Text(record.Source));
            p.Add(Text(record.Error));
            p.Add(Text(record.Owner));
            p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = record.MemoryUsageBytes is { } m ? m : DBNull.Value });
            p.Add(Text(record.Coordinator));
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask RecordNodeNamesAsync(string executionId, IReadOnlyList<ExecutionNodeName> names, CancellationToken cancellationToken = default)
    {
        Writable(cancellationToken);
        if (names.Count == 0) return;
        await RunAsync(null, $"cannot record the node names of execution {executionId}", async connection =>
        {
            // One statement for the whole list (arrays unnested server-side), not a round trip per name.
            await using var command = new NpgsqlCommand(
                $"INSERT INTO {Schema}.execution_nodes(execution_id, ordinal, name, node_id, is_goal) " +
                "SELECT $1, * FROM unnest($2::integer[], $3::text[], $4::bytea[], $5::boolean[]) " +
                "ON CONFLICT (execution_id, ordinal, name) DO UPDATE SET node_id = EXCLUDED.node_id, is_goal = EXCLUDED.is_goal", connection);
            command.Parameters.AddWithValue(executionId);
            command.Parameters.AddWithValue(names.Select(n => n.Ordinal).ToArray());
            command.Parameters.AddWithValue(names.Select(n => n.Name).ToArray());
            command.Parameters.AddWithValue(names.Select(n => n.NodeId.ToByteArray()).ToArray());
            command.Parameters.AddWithValue(names.Select(n => n.IsGoal).ToArray());
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask RecordNodeHistoryAsync(NodeHistoryEntry entry, CancellationToken cancellationToken = default)
    {
        Writable(cancellationToken);
        await RunAsync(entry.NodeId, "cannot record node history", async connection =>
        {
            await using var command = new NpgsqlCommand(
                $"INSERT INTO {Schema}.node_history(execution_id, node_id, operator, attempt, status, error, at) VALUES ($1, $2, $3, $4, $5, $6, $7)", connection);
            var p = command.Parameters;
            p.AddWithValue(entry.ExecutionId);
            p.AddWithValue(entry.NodeId.ToByteArray());
            p.Add(Text(entry.Operator));
            p.AddWithValue(entry.Attempt);
            p.AddWithValue(entry.Status);
            p.Add(Text(entry.Error));
            p.AddWithValue(entry.At.ToUnixTimeMilliseconds());
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<bool> DeleteExecutionAsync(string executionId, CancellationToken cancellationToken = default)
    {
        Writable(cancellationToken);
        return await RunAsync(null, $"cannot delete execution {executionId}", async connection =>
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var removed = 0;
            foreach (var table in new[] { "node_history", "execution_nodes", "executions" })
            {
                await using var command = new NpgsqlCommand($"DELETE FROM {Schema}.{table} WHERE execution_id = $1", connection, transaction);
                command.Parameters.AddWithValue(executionId);
                removed = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            // The last table is executions: its count says whether the execution was recorded.
            return removed > 0;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<ExecutionRecord?> GetExecutionAsync(string executionId, CancellationToken cancellationToken = default)
    {
        var list = await QueryAsync($"SELECT {_executionReadColumns} FROM {Schema}.executions WHERE execution_id = $1", executionId, ReadExecution, cancellationToken)
            .ConfigureAwait(false);
        return list.Count > 0 ? list[0] : null;
    }

    public async IAsyncEnumerable<ExecutionRecord> ListExecutionsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var sql = $"SELECT {_executionReadColumns} FROM {Schema}.executions WHERE $1::text IS NULL ORDER BY submitted_at DESC, execution_id";
        foreach (var item in await QueryAsync(sql, null, ReadExecution, cancellationToken).ConfigureAwait(false)) yield return item;
    }

    public async IAsyncEnumerable<ExecutionNodeName> ListExecutionNodesAsync(string executionId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var sql = $"SELECT execution_id, name, node_id, is_goal, ordinal FROM {Schema}.execution_nodes WHERE execution_id = $1 ORDER BY ordinal, name";
        var list = await QueryAsync(sql, executionId,
            r => new ExecutionNodeName(r.GetString(0), r.GetString(1), NodeId.FromBytes((byte[])r.GetValue(2)), r.GetBoolean(3), r.GetInt32(4)),
            cancellationToken).ConfigureAwait(false);
        foreach (var item in list) yield return item;
    }

    public async IAsyncEnumerable<NodeHistoryEntry> ListNodeHistoryAsync(string executionId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var sql = $"SELECT execution_id, node_id, operator, attempt, status, error, at FROM {Schema}.node_history WHERE execution_id = $1 ORDER BY id";
        var list = await QueryAsync(sql, executionId, r => new NodeHistoryEntry(
                r.GetString(0), NodeId.FromBytes((byte[])r.GetValue(1)), r.IsDBNull(2) ? null : r.GetString(2), r.GetInt32(3),
                r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(6))),
            cancellationToken).ConfigureAwait(false);
        foreach (var item in list) yield return item;
    }

    private static ExecutionRecord ReadExecution(NpgsqlDataReader r) => ExecutionRecordRows.Read(r);

    // Execution history is small next to results (one row per execution or name), so it is read in one go.
    private async Task<List<T>> QueryAsync<T>(string sql, string? parameter, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        Readable(cancellationToken);
        return await RunAsync(null, "cannot read execution history", async connection =>
        {
            await using var command = new NpgsqlCommand(sql, connection);
            command.Parameters.Add(Text(parameter));
            var list = new List<T>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) list.Add(read(reader));
            return list;
        }, cancellationToken).ConfigureAwait(false);
    }

    private static NpgsqlParameter Text(string? value) => new() { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)value ?? DBNull.Value };
}
