using VoxScheduler.Dag;
using VoxScheduler.Values;

namespace VoxScheduler.Scheduling;

/// <summary>
/// What a finished execution keeps of its DAG: its compact form (<see cref="DagCodec"/>, ids
/// kept only where they do not follow from the nodes) instead of the node objects (issue 14,
/// item 2). Rebuilding makes a new <see cref="DagDefinition"/> each time it is asked for (held
/// weakly, so a caller that keeps it shares it and none pins it for long): only drawing the DAG
/// or listing its labels needs one; the id, goals and node count are kept apart. A DAG whose
/// constants or attributes cannot be encoded is kept as it is.
/// </summary>
internal sealed class RetainedDag
{
    private static readonly DagValueCodec Values = new(ValueCodec.Encode, ValueCodec.Decode);

    private readonly byte[]? _bytes;
    private readonly DagDefinition? _whole;
    private readonly WeakReference<DagDefinition?> _rebuilt = new(null);

    private RetainedDag(byte[]? bytes, DagDefinition? whole, string dagId, int nodeCount)
    {
        _bytes = bytes;
        _whole = whole;
        DagId = dagId;
        NodeCount = nodeCount;
    }

    public string DagId { get; }

    public int NodeCount { get; }

    /// <summary>Bytes kept (for the retention budget).</summary>
    public long Bytes => _bytes?.LongLength ?? (long)NodeCount * DynamicScheduler.RetainedBytesPerNode;

    public static RetainedDag Encode(DagDefinition dag)
    {
        var bytes = DagCodec.TryWrite(dag, Values, keepIds: true);
        return new RetainedDag(bytes, bytes is null ? dag : null, dag.DagId, dag.Nodes.Count);
    }

    /// <summary>The DAG, rebuilt from the bytes (or the one a caller still holds).</summary>
    public DagDefinition Dag
    {
        get
        {
            if (_whole is not null) return _whole;
            if (_rebuilt.TryGetTarget(out var dag) && dag is not null) return dag;
            dag = DagCodec.Restore(_bytes!, Values);
            _rebuilt.SetTarget(dag);
            return dag;
        }
    }
}
