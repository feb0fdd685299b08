using Npgsql;
using NpgsqlTypes;

namespace VoxScheduler.Cluster.Postgres;

/// <summary>
/// Group commit of a postgres store's result batches: batches handed over while a write is in
/// flight wait and go together in the next one, as one
/// <c>INSERT … SELECT FROM unnest(…) ON CONFLICT DO NOTHING</c>, so the worker slots of a silo
/// (one batch per call each) share a round trip and a commit instead of paying one each. Nothing
/// waits for a window: a batch that finds no write in flight is written at once, so a lone caller
/// pays no latency; under load the batches pile up behind the write in flight and the next write
/// takes them all (at most <see cref="MaxBytes"/> of data and <see cref="MaxRows"/> rows each).
/// Each caller's task completes when the write holding its rows has committed, or fails with it.
/// </summary>
internal sealed class PostgresGroupCommit(Func<Func<NpgsqlConnection, Task<bool>>, Task<bool>> run, string schema)
{
    /// <summary>Most bytes of row data in one write (a batch larger than this is written alone).</summary>
    public const long MaxBytes = 8L * 1024 * 1024;

    /// <summary>Most rows in one write.</summary>
    public const int MaxRows = 8192;

    private readonly Lock _lock = new();
    private readonly Queue<Entry> _queue = new();
    private bool _writing;
    private long _writes, _batches;

    /// <summary>Writes made so far (each one a round trip and a commit).</summary>
    public long Writes => Interlocked.Read(ref _writes);

    /// <summary>Batches handed over so far.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Queues the batch's rows (taken now: the caller may reuse the batch at once) and completes when they are committed.</summary>
    public Task EnqueueAsync(PostgresResultBatch batch)
    {
        var entry = new Entry(batch.TakeRows(), batch.DagId, batch.ExecutionId, batch.CreatedAt);
        Interlocked.Increment(ref _batches);
        bool lead;
        lock (_lock)
        {
            _queue.Enqueue(entry);
            lead = !_writing;
            _writing = true;
        }

        // The caller that found no write in flight writes, and goes on writing what queued meanwhile.
        if (lead) _ = WriteLoopAsync();
        return entry.Done.Task;
    }

    private async Task WriteLoopAsync()
    {
        while (true)
        {
            var group = new List<Entry>();
            lock (_lock)
            {
                long bytes = 0;
                var rows = 0;
                while (_queue.TryPeek(out var next) && (group.Count == 0 || (bytes + next.Bytes <= MaxBytes && rows + next.Rows.Count <= MaxRows)))
                {
                    group.Add(_queue.Dequeue());
                    bytes += next.Bytes;
                    rows += next.Rows.Count;
                }

                if (group.Count == 0)
                {
                    _writing = false;
                    return;
                }
            }

            try
            {
                Interlocked.Increment(ref _writes);
                await run(connection => InsertAsync(connection, group)).ConfigureAwait(false);
                foreach (var entry in group) entry.Done.TrySetResult();
            }
            catch (Exception e)
            {
                foreach (var entry in group) entry.Done.TrySetException(e);
            }
        }
    }

    private async Task<bool> InsertAsync(NpgsqlConnection connection, List<Entry> group)
    {
        var count = group.Sum(e => e.Rows.Count);
        var ids = new byte[count][];
        var types = new int[count];
        var sizes = new long[count];
        var stored = new long[count];
        var codecs = new short[count];
        var hashes = new byte[count][];
        var checksums = new byte[]?[count];
        var created = new long[count];
        var dags = new string?[count];
        var executions = new string?[count];
        var operators = new string?[count];
        var data = new byte[count][];
        var seen = new HashSet<Dag.NodeId>(count);
        var n = 0;
        foreach (var entry in group)
        {
            foreach (var row in entry.Rows)
            {
                // The same node twice in one write (computed twice at once): the first copy stands, as ON CONFLICT keeps the stored one.
                if (!seen.Add(row.NodeId)) continue;
                ids[n] = row.NodeId.ToByteArray();
                types[n] = (int)row.Metadata.DataType;
                sizes[n] = row.Size;
                stored[n] = row.StoredSize;
                codecs[n] = row.Compression;
                hashes[n] = row.ContentHash;
                checksums[n] = row.Checksum;
                created[n] = entry.CreatedAt;
                dags[n] = entry.DagId;
                executions[n] = entry.ExecutionId;
                operators[n] = row.Metadata.Operator;
                data[n] = row.Data!;
                n++;
            }
        }

        if (n < count)
        {
            Array.Resize(ref ids, n);
            Array.Resize(ref types, n);
            Array.Resize(ref sizes, n);
            Array.Resize(ref stored, n);
            Array.Resize(ref codecs, n);
            Array.Resize(ref hashes, n);
            Array.Resize(ref checksums, n);
            Array.Resize(ref created, n);
            Array.Resize(ref dags, n);
            Array.Resize(ref executions, n);
            Array.Resize(ref operators, n);
            Array.Resize(ref data, n);
        }

        await using var command = new NpgsqlCommand(
            $"INSERT INTO {schema}.results(node_id, data_type, size, stored_size, compression, content_hash, checksum, created_at, accessed_at, " +
            "dag_id, execution_id, operator, data) " +
            "SELECT id, t, s, ss, c, h, k, ca, ca, dg, ex, o, d FROM unnest($1::bytea[], $2::integer[], $3::bigint[], $4::bigint[], $5::smallint[], " +
            "$6::bytea[], $7::bytea[], $8::bigint[], $9::text[], $10::text[], $11::text[], $12::bytea[]) AS u(id, t, s, ss, c, h, k, ca, dg, ex, o, d) " +
            "ON CONFLICT (node_id) DO NOTHING", connection);
        var p = command.Parameters;
        p.AddWithValue(ids);
        p.AddWithValue(types);
        p.AddWithValue(sizes);
        p.AddWithValue(stored);
        p.AddWithValue(codecs);
        p.AddWithValue(hashes);
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea, Value = checksums });
        p.AddWithValue(created);
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = dags });
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = executions });
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = operators });
        p.AddWithValue(data);
        // Durability is not a caller's cancellation's business: a batch handed over is committed.
        await command.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
        return true;
    }

    /// <summary>One caller's batch: its rows and stamps, and the task it waits on.</summary>
    private sealed class Entry(List<PostgresResultRow> rows, string? dagId, string? executionId, long createdAt)
    {
        public List<PostgresResultRow> Rows { get; } = rows;

        public string? DagId { get; } = dagId;

        public string? ExecutionId { get; } = executionId;

        public long CreatedAt { get; } = createdAt;

        public long Bytes { get; } = rows.Sum(r => (long)(r.Data?.Length ?? 0));

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
