using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Collections.ObjectModel;
using System.Text;

namespace VoxScheduler.Dag;

/// <summary>
/// Reads the form <see cref="DagCodec"/> writes, in one of two modes that share every byte of
/// parsing. Restoring (no resolver) replicates the DAG node for node and treats any problem as a
/// malformed form: the bytes are this process's own. Reading a stranger's form (a resolver)
/// rebuilds it through a <see cref="DagBuilder"/>, lists every problem it can go on past (a bad
/// value or reference sits in a length-prefixed field), and stops at what it cannot (a truncated
/// or inconsistent structure). Every length and count is checked against the bytes left before
/// anything is allocated for it.
/// </summary>
internal sealed class DagCodecReader
{
    // The fewest bytes an entry can take, so a count can be checked against the bytes left: a
    // constant is its head, a block length and a value tag; an operation its head, operator,
    // revision and argument count; a goal its name length, kind, node and path flag; a label
    // its name length and node.
    private const int MinNodeBytes = 3, MinGoalBytes = 4, MinLabelBytes = 2;

    private static readonly DagCodecLimits Trusted = new() { MaxBytes = int.MaxValue, MaxNodes = int.MaxValue, MaxProblems = 1 };

    private readonly byte[] _data;
    private readonly DagValueCodec _values;
    private readonly IOperatorResolver? _operations;
    private readonly DagCodecLimits _limits;
    private readonly List<ValidationProblem> _problems = [];
    private int _position;
    private int _unlisted;

    private DagCodecReader(byte[] data, DagValueCodec values, IOperatorResolver? operations, DagCodecLimits limits)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(limits);
        _data = data;
        _values = values;
        _operations = operations;
        _limits = limits;
    }

    private bool Restoring => _operations is null;

    public static DagDefinition Restore(byte[] data, DagValueCodec values) => new DagCodecReader(data, values, null, Trusted).Run();

    public static DagDefinition Read(byte[] data, DagValueCodec values, IOperatorResolver operations, DagCodecLimits limits) =>
        new DagCodecReader(data, values, operations, limits).Run();

    private DagDefinition Run()
    {
        try
        {
            return ReadForm();
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or ArgumentException or OverflowException)
        {
            throw new ValidationException($"The DAG's compact form is malformed: {e.Message}", "InvalidDag");
        }
    }

    private DagDefinition ReadForm()
    {
        if (_data.Length > _limits.MaxBytes)
        {
            throw new ValidationException($"The DAG's compact form is {_data.Length} bytes, more than the {_limits.MaxBytes} it may take.", "DagTooLarge");
        }

        if (_data.Length < 4) throw new InvalidDataException($"{_data.Length} bytes are not even a version.");
        var version = BinaryPrimitives.ReadInt32LittleEndian(_data);
        _position = 4;
        if (version == 1)
        {
            throw new ValidationException($"The DAG's compact form is version 1, an earlier release's; this reader reads version {DagCodec.Version} only: submit it from a client of the same release.", "UnsupportedDagVersion");
        }

        if (version != DagCodec.Version) throw new InvalidDataException($"{version} is not a version of it (this reader reads version {DagCodec.Version}).");
        var dagId = ReadString();
        var count = ReadCount(MinNodeBytes, "nodes");
        if (count > _limits.MaxNodes)
        {
            throw new ValidationException($"The DAG's compact form holds {count} nodes, more than the {_limits.MaxNodes} it may hold.", "TooManyNodes");
        }

        // What the JSON path refuses too (UserDagCompiler): a stranger's DAG has nodes.
        if (count == 0 && !Restoring) Problem("EmptyDag", "The DAG has no nodes.");

        // Restoring fills nodes; reading fills the builder, with index mapping a written node to
        // its builder index (identical nodes merge), -1 for a node not built because of a problem.
        var nodes = Restoring ? new DagNode[count] : null;
        var builder = Restoring ? null : new DagBuilder(count);
        var index = Restoring ? null : new int[count];
        var operators = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var head = ReadByte();
            var kind = (NodeKind)(head & DagCodec.KindMask);
            var hasId = (head & DagCodec.ExplicitId) != 0;
            var hasAttributes = (head & DagCodec.HasAttributes) != 0;
            if ((head & ~(DagCodec.KindMask | DagCodec.ExplicitId | DagCodec.HasAttributes)) != 0 || !Enum.IsDefined(kind)
                || (hasAttributes && kind != NodeKind.Operation) || (!hasId && kind == NodeKind.External))
            {
                throw new InvalidDataException($"node {i} starts with the head byte 0x{head:x2}, which is not one.");
            }

            if (kind == NodeKind.Constant)
            {
                var ok = TryReadValue(i, "value", out var value);
                NodeId? id = hasId ? ReadId() : null;
                if (nodes is not null) nodes[i] = new DagNode(i, id ?? DagBuilder.ComputeConstantId(value), kind, DagBuilder.ConstantOperator, 0, ImmutableArray<int>.Empty, value, null);
                else if (!ok || GivesId(i, hasId)) index![i] = -1;
                else
                {
                    try
                    {
                        index![i] = builder!.Constant(value);
                    }
                    catch (ArgumentException e)
                    {
                        index![i] = Unhashable(i, "value", e);
                    }
                }

                continue;
            }

            if (kind == NodeKind.External)
            {
                var id = ReadId();
                if (nodes is not null) nodes[i] = new DagNode(i, id, kind, DagBuilder.ExternalOperator, 0, ImmutableArray<int>.Empty, null, null);
                else
                {
                    Problem("ExternalNode", $"Node {i} refers to a node outside the DAG, which the compact form does not carry (a DAG with external nodes travels as JSON).");
                    index![i] = -1;
                }

                continue;
            }

            var name = ReadOperator(operators, i);
            var revision = unchecked((int)ReadVarint());
            var args = new int[ReadCount(1, "arguments", i)];
            var complete = true;
            for (var a = 0; a < args.Length; a++)
            {
                var back = ReadVarint();
                if (back == 0 || back > (uint)i)
                {
                    Problem("MissingDependency", $"Node {i}'s argument {a} is {back} node(s) back, which is not an earlier node.");
                    complete = false;
                }
                else
                {
                    args[a] = i - (int)back;
                    complete &= index is null || index[args[a]] >= 0; // an argument not built has its own problem listed
                }
            }

            IReadOnlyDictionary<string, object?>? attributes = null;
            if (hasAttributes) complete &= TryReadRecord(i, "attributes", out attributes);
            NodeId? given = hasId ? ReadId() : null;
            if (nodes is not null)
            {
                var ids = new NodeId[args.Length];
                for (var a = 0; a < ids.Length; a++) ids[a] = nodes[args[a]].Id;
                nodes[i] = new DagNode(i, given ?? DagBuilder.ComputeOperationId(name, revision, ids, attributes), kind, name, revision, ImmutableArray.Create(args), null, attributes);
                continue;
            }

            index![i] = -1;
            if (!UserDagCompiler.TryResolve(_operations!, name, out var op))
            {
                Problem("UnknownOperation", $"Node {i} uses the unknown operation '{name}'.");
            }
            else if (!op.AcceptsArity(args.Length))
            {
                Problem("WrongArity", $"Node {i}: '{op.Name}' takes {op.ArityText} argument(s), not {args.Length}.");
            }
            else if (!GivesId(i, hasId) && complete)
            {
                // The silo's own name and revision, as the JSON path compiles them (a sender's revision is informative only).
                for (var a = 0; a < args.Length; a++) args[a] = index[args[a]];
                try
                {
                    index[i] = builder!.Operation(op.Name, op.Revision, args, attributes);
                }
                catch (ArgumentException e)
                {
                    Unhashable(i, "attributes", e);
                }
            }
        }

        var goals = new List<DagGoal>();
        var goalCount = ReadCount(MinGoalBytes, "goals");
        for (var g = 0; g < goalCount; g++)
        {
            var name = ReadString();
            var kind = ReadVarint();
            var node = ReadVarint();
            var path = ReadFlag() ? ReadString() : null;
            if (!Enum.IsDefined((GoalKind)kind)) Problem("InvalidGoal", $"Goal '{name}' has the unknown kind {kind}.");
            else if (node >= (uint)count) Problem("InvalidGoal", $"Goal '{name}' names node {node}, which is not a node of the DAG.");
            else if ((GoalKind)kind == GoalKind.Save && string.IsNullOrEmpty(path) && !Restoring) Problem("InvalidGoal", $"Save goal '{name}' has no path.");
            else if (index is null) goals.Add(new DagGoal(name, (GoalKind)kind, (int)node, path));
            else if (index[node] >= 0) builder!.AddGoal(new DagGoal(name, (GoalKind)kind, index[node], path));
        }

        var labelCount = ReadCount(MinLabelBytes, "labels");
        var labels = index is null ? new Dictionary<string, int>(labelCount, StringComparer.Ordinal) : null;
        for (var l = 0; l < labelCount; l++)
        {
            var label = ReadString();
            var node = ReadVarint();
            if (label.Length == 0 || node >= (uint)count || (labels is not null ? !labels.TryAdd(label, (int)node) : index![node] >= 0 && !builder!.TryLabel(label, index[node])))
            {
                Problem("InvalidLabel", $"Label '{label}' names node {node}, which is not a node of the DAG or is taken.");
            }
        }

        IReadOnlyDictionary<string, object?>? metadata = null;
        if (ReadFlag()) TryReadRecord(-1, "metadata", out metadata);
        if (_position != _data.Length) throw new InvalidDataException($"{_data.Length - _position} bytes follow its end.");
        if (_problems.Count > 0)
        {
            if (_unlisted > 0) _problems.Add(new("TooManyProblems", $"… and {_unlisted} more problem(s)."));
            throw new ValidationException(_problems);
        }

        return nodes is not null
            ? new DagDefinition(dagId, Array.AsReadOnly(nodes), goals.AsReadOnly(), labels!.Count == 0 ? null : new ReadOnlyDictionary<string, int>(labels), metadata)
            : builder!.Build(dagId, metadata);
    }

    /// <summary>A problem: listed when reading a stranger's form, fatal when restoring one's own.</summary>
    private void Problem(string code, string message)
    {
        if (Restoring) throw new InvalidDataException(message);
        if (_problems.Count < _limits.MaxProblems) _problems.Add(new ValidationProblem(code, message));
        else _unlisted++;
    }

    /// <summary>A stranger may not name a node's id: it is computed from the node.</summary>
    private bool GivesId(int node, bool hasId)
    {
        if (hasId) Problem("GivenId", $"Node {node} carries its own id; ids are computed from the nodes, never taken.");
        return hasId;
    }

    /// <summary>A value with no canonical form (NaN, bytes, an image) cannot be hashed into a node's id: a problem, and no node (-1).</summary>
    private int Unhashable(int node, string field, ArgumentException e)
    {
        Problem("InvalidValue", $"{What(node, field)} cannot be part of a node's id: {e.Message}");
        return -1;
    }

    /// <summary>The field of a node (or of the DAG, for -1) in a problem; formatted only for a problem, not per node.</summary>
    private static string What(int node, string field) => node < 0 ? $"The DAG's {field}" : $"Node {node}'s {field}";

    private bool TryReadValue(int node, string field, out object? value)
    {
        var bytes = ReadBlock();
        try
        {
            value = _values.Decode(bytes);
            return true;
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or ArgumentException or OverflowException or NotSupportedException
            or InvalidCastException or IndexOutOfRangeException or EndOfStreamException)
        {
            // The value codec's kinds read a stranger's bytes: whatever they refuse, the block is skipped and the rest read on.
            Problem("InvalidValue", $"{What(node, field)} is not a value: {e.Message}");
            value = null;
            return false;
        }
    }

    private bool TryReadRecord(int node, string field, out IReadOnlyDictionary<string, object?>? record)
    {
        record = null;
        if (!TryReadValue(node, field, out var value)) return false;
        record = value as IReadOnlyDictionary<string, object?>;
        if (record is null) Problem("InvalidValue", $"{What(node, field)} is not a record.");
        return record is not null;
    }

    private string ReadOperator(List<string> operators, int node)
    {
        var code = ReadVarint();
        if (code == (uint)operators.Count) operators.Add(ReadString());
        else if (code > (uint)operators.Count) throw new InvalidDataException($"node {node} names operator {code}, but {operators.Count} are named so far.");
        return operators[(int)code];
    }

    private byte ReadByte()
    {
        if (_position >= _data.Length) throw Truncated();
        return _data[_position++];
    }

    private bool ReadFlag() => ReadByte() switch
    {
        0 => false,
        1 => true,
        var b => throw new InvalidDataException($"byte {_position - 1} is {b}, not a flag."),
    };

    private uint ReadVarint()
    {
        uint value = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            var b = ReadByte();
            if (shift == 28 && b > 0x0F) throw new InvalidDataException($"the number ending at byte {_position - 1} does not fit 32 bits.");
            value |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return value;
        }

        throw new InvalidDataException($"the number ending at byte {_position - 1} does not fit 32 bits.");
    }

    /// <summary>A count of entries of at least <paramref name="minBytes"/> each, checked against the bytes left.</summary>
    private int ReadCount(int minBytes, string what, int node = -1)
    {
        var start = _position;
        var count = ReadVarint();
        var left = _data.Length - _position;
        if (count > (uint)(left / minBytes)) throw new InvalidDataException($"at byte {start}, {count} {(node < 0 ? what : $"node {node}'s {what}")} cannot fit in the {left} bytes left.");
        return (int)count;
    }

    private ReadOnlySpan<byte> Take(int length)
    {
        var span = _data.AsSpan(_position, length);
        _position += length;
        return span;
    }

    private string ReadString() => Encoding.UTF8.GetString(Take(ReadCount(1, "bytes of text")));

    private byte[] ReadBlock() => Take(ReadCount(1, "bytes of value")).ToArray();

    private NodeId ReadId()
    {
        if (_data.Length - _position < NodeId.ByteLength) throw Truncated();
        return NodeId.FromBytes(Take(NodeId.ByteLength));
    }

    private InvalidDataException Truncated() => new($"it ends at byte {_data.Length}, before its end.");
}
