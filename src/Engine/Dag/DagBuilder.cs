using System.Buffers;
using System.Collections.Immutable;
using System.Collections.ObjectModel;
using System.Runtime.InteropServices;

namespace VoxScheduler.Dag;

/// <summary>
/// Builds a <see cref="DagDefinition"/> node by node, computing content ids (docs/language.md §5)
/// and merging identical nodes (hash-consing): adding a node that already exists returns the
/// existing index. Not thread-safe.
/// </summary>
public sealed class DagBuilder
{
    /// <summary>The node-id scheme this builder implements.</summary>
    public const int Scheme = 1;

    /// <summary>Operator name recorded for constant nodes.</summary>
    public const string ConstantOperator = "constant";

    /// <summary>Operator name recorded for external references.</summary>
    public const string ExternalOperator = "external";

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    private readonly List<DagNode> _nodes;
    private readonly Dictionary<NodeId, int> _byId;
    private readonly List<DagGoal> _goals = [];
    private Dictionary<string, int>? _labels;

    /// <summary>Creates an empty builder.</summary>
    public DagBuilder(int capacity = 16)
    {
        _nodes = new List<DagNode>(capacity);
        _byId = new Dictionary<NodeId, int>(capacity);
    }

    /// <summary>Number of distinct nodes so far.</summary>
    public int Count => _nodes.Count;

    /// <summary>The node at an index.</summary>
    public DagNode this[int index] => _nodes[index];

    /// <summary>Goals added so far.</summary>
    public IReadOnlyList<DagGoal> Goals => _goals;

    /// <summary>Index of a node with this id, or -1.</summary>
    public int IndexOf(NodeId id) => _byId.TryGetValue(id, out var i) ? i : -1;

    /// <summary>Adds (or finds) a constant node.</summary>
    public int Constant(object? value)
    {
        var id = ComputeConstantId(value);
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_byId, id, out var exists);
        return exists ? slot : slot = Append(new DagNode(_nodes.Count, id, NodeKind.Constant, ConstantOperator, 0, ImmutableArray<int>.Empty, value, null));
    }

    /// <summary>Adds (or finds) an operation node over existing nodes.</summary>
    /// <param name="operator">Qualified operator name, e.g. <c>default.add</c>.</param>
    /// <param name="revision">The operation's revision.</param>
    /// <param name="arguments">Indices of argument nodes already in this builder.</param>
    /// <param name="attributes">Parameters that are part of the node's identity; null or empty when none.</param>
    public int Operation(string @operator, int revision, ReadOnlySpan<int> arguments, IReadOnlyDictionary<string, object?>? attributes = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(@operator);
        var ids = arguments.Length <= 64 ? stackalloc NodeId[arguments.Length] : new NodeId[arguments.Length];
        for (var i = 0; i < arguments.Length; i++)
        {
            var a = arguments[i];
            if ((uint)a >= (uint)_nodes.Count)
            {
                throw new ArgumentOutOfRangeException(nameof(arguments), $"Argument {i} refers to node {a}, which does not exist yet.");
            }

            ids[i] = _nodes[a].Id;
        }

        if (attributes is { Count: 0 })
        {
            attributes = null;
        }

        var id = ComputeOperationId(@operator, revision, ids, attributes);
        // One hash lookup finds the node or reserves its slot.
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_byId, id, out var exists);
        return exists ? slot : slot = Append(new DagNode(_nodes.Count, id, NodeKind.Operation, @operator, revision, arguments.ToImmutableArray(), null, attributes));
    }

    /// <summary>
    /// Adds (or finds) a reference to a node that lives outside this DAG (used by expansion
    /// fragments to point at values of the running plan).
    /// </summary>
    public int External(NodeId id)
    {
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_byId, id, out var exists);
        return exists ? slot : slot = Append(new DagNode(_nodes.Count, id, NodeKind.External, ExternalOperator, 0, ImmutableArray<int>.Empty, null, null));
    }

    /// <summary>Gives a node a user label. Returns false when the label is already taken by another node.</summary>
    public bool TryLabel(string name, int node)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        _labels ??= new Dictionary<string, int>(StringComparer.Ordinal);
        if (_labels.TryGetValue(name, out var current))
        {
            return current == node;
        }

        _labels[name] = node;
        return true;
    }

    /// <summary>Adds a goal.</summary>
    public void AddGoal(DagGoal goal)
    {
        if ((uint)goal.Node >= (uint)_nodes.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(goal), $"Goal '{goal.Name}' refers to node {goal.Node}, which does not exist.");
        }

        _goals.Add(goal);
    }

    /// <summary>Finishes the DAG. The builder should not be used afterwards.</summary>
    public DagDefinition Build(string? dagId = null, IReadOnlyDictionary<string, object?>? metadata = null)
    {
        dagId ??= DeriveDagId();
        IReadOnlyDictionary<string, int>? labels = _labels is null ? null : new ReadOnlyDictionary<string, int>(_labels);
        return new DagDefinition(dagId, _nodes.AsReadOnly(), _goals.AsReadOnly(), labels, metadata);
    }

    private string DeriveDagId()
    {
        // The DAG is identified by what it computes: the ids of its goals (or of its sinks).
        var buffer = new ArrayBufferWriter<byte>();
        var roots = _goals.Count > 0 ? _goals.Select(g => g.Node) : Enumerable.Range(Math.Max(0, _nodes.Count - 1), Math.Min(1, _nodes.Count));
        var list = roots.Select(r => (object?)_nodes[r].Id.ToString()).ToList();
        CanonicalJson.Write(buffer, list);
        return NodeId.Hash(buffer.WrittenSpan).ToShortString(16);
    }

    /// <summary>Appends a node whose id slot the caller has just reserved in <see cref="_byId"/>.</summary>
    private int Append(DagNode node)
    {
        _nodes.Add(node);
        return node.Index;
    }

    /// <summary>The id of a constant node: hash of <c>{"kind":"constant","scheme":1,"value":V}</c>.</summary>
    public static NodeId ComputeConstantId(object? value)
    {
        var buffer = RentBuffer();
        CanonicalJson.WriteAscii(buffer, "{\"kind\":\"constant\",\"scheme\":1,\"value\":");
        CanonicalJson.Write(buffer, value);
        CanonicalJson.WriteByte(buffer, (byte)'}');
        return NodeId.Hash(buffer.WrittenSpan);
    }

    /// <summary>
    /// The id of an operation node: hash of
    /// <c>{"arguments":[…],"attributes":{…},"kind":"operation","operator":OP,"revision":R,"scheme":1}</c>
    /// (attributes omitted when there are none). Keys are already in JCS order.
    /// </summary>
    public static NodeId ComputeOperationId(string @operator, int revision, ReadOnlySpan<NodeId> arguments,
        IReadOnlyDictionary<string, object?>? attributes)
    {
        var buffer = RentBuffer();
        CanonicalJson.WriteAscii(buffer, "{\"arguments\":[");
        Span<char> hex = stackalloc char[NodeId.HexLength];
        for (var i = 0; i < arguments.Length; i++)
        {
            if (i > 0) CanonicalJson.WriteByte(buffer, (byte)',');
            arguments[i].TryFormat(hex, out _, default, null);
            var span = buffer.GetSpan(NodeId.HexLength + 2);
            span[0] = (byte)'"';
            for (var j = 0; j < NodeId.HexLength; j++) span[j + 1] = (byte)hex[j];
            span[NodeId.HexLength + 1] = (byte)'"';
            buffer.Advance(NodeId.HexLength + 2);
        }

        CanonicalJson.WriteByte(buffer, (byte)']');
        if (attributes is { Count: > 0 })
        {
            CanonicalJson.WriteAscii(buffer, ",\"attributes\":");
            CanonicalJson.Write(buffer, attributes);
        }

        CanonicalJson.WriteAscii(buffer, ",\"kind\":\"operation\",\"operator\":");
        CanonicalJson.WriteString(buffer, @operator);
        CanonicalJson.WriteAscii(buffer, ",\"revision\":");
        CanonicalJson.WriteNumber(buffer, revision);
        CanonicalJson.WriteAscii(buffer, ",\"scheme\":1}");
        return NodeId.Hash(buffer.WrittenSpan);
    }

    private static ArrayBufferWriter<byte> RentBuffer()
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        return buffer;
    }
}
