using VoxScheduler.Dag;
using VoxScheduler.Values;
using VoxScheduler.Storage;

namespace VoxScheduler.Cluster.Postgres;

/// <summary>
/// Small results on their way to a postgres store together: the store's
/// <see cref="PostgresGroupCommit"/> writes them with the batches of other callers in one
/// <c>INSERT … SELECT FROM unnest(…) ON CONFLICT DO NOTHING</c>, one round trip and one commit for
/// hundreds of rows. Results too large to be inline are refused, so the caller stores them one by one.
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
        // Images too (see PostgresResultStore.StoreCoreAsync): what does not shrink is stored raw.
        var chosen = codec;
        var compressed = StoreCodec.TryCompress(data, chosen);
        var metadata = new StorageMetadata { NodeId = nodeId, DataType = dataType, Operator = @operator, DagId = DagId, ExecutionId = ExecutionId };
        _rows.Add(new PostgresResultRow(nodeId, metadata, null, data.Length, compressed?.Length ?? data.Length,
            compressed is null ? StoreCodec.Raw : chosen, StoreHash.Compute(data), compressed is null ? null : StoreHash.Compute(compressed),
            null, compressed ?? data.ToArray()));
        return true;
    }

    /// <summary>The store's clock when the batch was reset (the rows' created and accessed time).</summary>
    public long CreatedAt => _createdAt;

    /// <summary>Hands the rows over (to <see cref="PostgresGroupCommit"/>) and leaves the batch empty, so its owner can reuse it at once.</summary>
    public List<PostgresResultRow> TakeRows()
    {
        var rows = new List<PostgresResultRow>(_rows);
        _rows.Clear();
        return rows;
    }
}
