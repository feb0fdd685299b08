using System.Collections.Immutable;
using System.Collections.ObjectModel;
using VoxScheduler.Dag;
using VoxScheduler.Values;

namespace VoxScheduler.Scheduling;

/// <summary>
/// What a finished execution keeps of its DAG: one compact byte array instead of the node
/// objects (issue 14, item 2). Node ids are not kept: they are content addresses, recomputed from
/// the operator, revision, arguments, constants and attributes when the DAG is rebuilt. Encoding
/// checks that every constant and attribute reads back to the same id; a node for which that does
/// not hold keeps its id (32 bytes). Rebuilding makes a new <see cref="DagDefinition"/> each time
/// it is asked for (held weakly, so a caller that keeps it shares it and none pins it for long):
/// only drawing the DAG or listing its labels needs one; the id, goals and node count are kept
/// apart. A DAG whose constants or attributes cannot be encoded is kept as it is.
/// </summary>
internal sealed class RetainedDag
{
    private const byte KindMask = 0x03, ExplicitId = 0x04, HasAttributes = 0x08;

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
        try
        {
            return new RetainedDag(Write(dag), null, dag.DagId, dag.Nodes.Count);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or FormatException or InvalidOperationException)
        {
            // A value the codec does not know (a DAG built by a library user): keep the DAG itself.
            return new RetainedDag(null, dag, dag.DagId, dag.Nodes.Count);
        }
    }

    /// <summary>The DAG, rebuilt from the bytes (or the one a caller still holds).</summary>
    public DagDefinition Dag
    {
        get
        {
            if (_whole is not null) return _whole;
            if (_rebuilt.TryGetTarget(out var dag) && dag is not null) return dag;
            dag = Read(_bytes!, DagId);
            _rebuilt.SetTarget(dag);
            return dag;
        }
    }

    private static byte[] Write(DagDefinition dag)
    {
        using var stream = new MemoryStream();
        using var w = new BinaryWriter(stream);
        var operators = new Dictionary<string, int>(StringComparer.Ordinal);
        var nodes = dag.Nodes;
        w.Write7BitEncodedInt(nodes.Count);
        for (var i = 0; i < nodes.Count; i++)
        {
            var node = nodes[i];
            switch (node.Kind)
            {
                case NodeKind.Constant:
                {
                    var value = ValueCodec.Encode(node.Value);
                    var same = DagBuilder.ComputeConstantId(ValueCodec.Decode(value)) == node.Id;
                    w.Write((byte)((byte)NodeKind.Constant | (same ? 0 : ExplicitId)));
                    WriteBytes(w, value);
                    if (!same) WriteId(w, node.Id);
                    break;
                }

                case NodeKind.External:
                    w.Write((byte)((byte)NodeKind.External | ExplicitId));
                    WriteId(w, node.Id);
                    break;
                default:
                {
                    byte[]? attributes = null;
                    var same = true;
                    if (node.Attributes is { Count: > 0 } given)
                    {
                        attributes = ValueCodec.Encode(given);
                        var ids = new NodeId[node.Arguments.Length];
                        for (var a = 0; a < ids.Length; a++) ids[a] = nodes[node.Arguments[a]].Id;
                        same = DagBuilder.ComputeOperationId(node.Operator, node.Revision, ids, AsAttributes(ValueCodec.Decode(attributes))) == node.Id;
                    }

                    w.Write((byte)((byte)node.Kind | (same ? 0 : ExplicitId) | (attributes is null ? 0 : HasAttributes)));
                    if (operators.TryGetValue(node.Operator, out var known))
                    {
                        w.Write7BitEncodedInt(known);
                    }
                    else
                    {
                        w.Write7BitEncodedInt(operators.Count);
                        operators[node.Operator] = operators.Count;
                        w.Write(node.Operator);
                    }

                    w.Write7BitEncodedInt(node.Revision);
                    w.Write7BitEncodedInt(node.Arguments.Length);
                    foreach (var a in node.Arguments) w.Write7BitEncodedInt(i - a); // arguments come before their node
                    if (attributes is not null) WriteBytes(w, attributes);
                    if (!same) WriteId(w, node.Id);
                    break;
                }
            }
        }

        w.Write7BitEncodedInt(dag.Goals.Count);
        foreach (var goal in dag.Goals)
        {
            w.Write(goal.Name);
            w.Write7BitEncodedInt((int)goal.Kind);
            w.Write7BitEncodedInt(goal.Node);
            w.Write(goal.Path is not null);
            if (goal.Path is not null) w.Write(goal.Path);
        }

        w.Write7BitEncodedInt(dag.Labels.Count);
        foreach (var (name, node) in dag.Labels)
        {
            w.Write(name);
            w.Write7BitEncodedInt(node);
        }

        w.Write(dag.Metadata is not null);
        if (dag.Metadata is not null) WriteBytes(w, ValueCodec.Encode(dag.Metadata));
        w.Flush();
        return stream.ToArray();
    }

    private static DagDefinition Read(byte[] bytes, string dagId)
    {
        using var r = new BinaryReader(new MemoryStream(bytes, writable: false));
        var count = r.Read7BitEncodedInt();
        var nodes = new DagNode[count];
        var operators = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var head = r.ReadByte();
            var kind = (NodeKind)(head & KindMask);
            switch (kind)
            {
                case NodeKind.Constant:
                {
                    var value = ValueCodec.Decode(ReadBytes(r));
                    var id = (head & ExplicitId) != 0 ? ReadId(r) : DagBuilder.ComputeConstantId(value);
                    nodes[i] = new DagNode(i, id, kind, DagBuilder.ConstantOperator, 0, ImmutableArray<int>.Empty, value, null);
                    break;
                }

                case NodeKind.External:
                    nodes[i] = new DagNode(i, ReadId(r), kind, DagBuilder.ExternalOperator, 0, ImmutableArray<int>.Empty, null, null);
                    break;
                default:
                {
                    var index = r.Read7BitEncodedInt();
                    if (index == operators.Count) operators.Add(r.ReadString());
                    var op = operators[index];
                    var revision = r.Read7BitEncodedInt();
                    var args = new int[r.Read7BitEncodedInt()];
                    for (var a = 0; a < args.Length; a++) args[a] = i - r.Read7BitEncodedInt();
                    var attributes = (head & HasAttributes) != 0 ? AsAttributes(ValueCodec.Decode(ReadBytes(r))) : null;
                    NodeId id;
                    if ((head & ExplicitId) != 0)
                    {
                        id = ReadId(r);
                    }
                    else
                    {
                        var ids = new NodeId[args.Length];
                        for (var a = 0; a < ids.Length; a++) ids[a] = nodes[args[a]].Id;
                        id = DagBuilder.ComputeOperationId(op, revision, ids, attributes);
                    }

                    nodes[i] = new DagNode(i, id, kind, op, revision, ImmutableArray.Create(args), null, attributes);
                    break;
                }
            }
        }

        var goals = new DagGoal[r.Read7BitEncodedInt()];
        for (var g = 0; g < goals.Length; g++)
        {
            var name = r.ReadString();
            var goalKind = (GoalKind)r.Read7BitEncodedInt();
            var node = r.Read7BitEncodedInt();
            goals[g] = new DagGoal(name, goalKind, node, r.ReadBoolean() ? r.ReadString() : null);
        }

        var labelCount = r.Read7BitEncodedInt();
        Dictionary<string, int>? labels = labelCount == 0 ? null : new(labelCount, StringComparer.Ordinal);
        for (var l = 0; l < labelCount; l++) labels![r.ReadString()] = r.Read7BitEncodedInt();
        var metadata = r.ReadBoolean() ? AsAttributes(ValueCodec.Decode(ReadBytes(r))) : null;
        return new DagDefinition(dagId, Array.AsReadOnly(nodes), Array.AsReadOnly(goals),
            labels is null ? null : new ReadOnlyDictionary<string, int>(labels), metadata);
    }

    private static IReadOnlyDictionary<string, object?>? AsAttributes(object? value) =>
        value as IReadOnlyDictionary<string, object?> ?? throw new FormatException("Attributes did not read back as a record.");

    private static void WriteBytes(BinaryWriter w, byte[] bytes)
    {
        w.Write7BitEncodedInt(bytes.Length);
        w.Write(bytes);
    }

    private static byte[] ReadBytes(BinaryReader r) => r.ReadBytes(r.Read7BitEncodedInt());

    private static void WriteId(BinaryWriter w, NodeId id) => w.Write(id.ToByteArray());

    private static NodeId ReadId(BinaryReader r) => NodeId.FromBytes(r.ReadBytes(NodeId.ByteLength));
}
