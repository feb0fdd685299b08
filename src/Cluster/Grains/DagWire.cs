using System.Text;
using VoxScheduler.Dag;
using VoxScheduler.Values;

namespace VoxScheduler.Cluster.Grains;

/// <summary>
/// The compact form a DAG travels in from a client to the coordinating silo: node indexes instead
/// of names, each operator's name once, constants and attributes in their value byte form. The
/// DAG's JSON form names every node by its 64-hex id in its arguments and again in its
/// dependencies (about 600 characters per node of the layered benchmark graph: a 100k-node DAG
/// was past the submission limit, and writing and parsing it took seconds). The silo rebuilds the
/// DAG with a <see cref="DagBuilder"/>, so node ids are computed as for any DAG, and checks what
/// the JSON path checks (operators, arities, references), listing every problem.
/// </summary>
internal static class DagWire
{
    private const int Version = 1;

    /// <summary>The compact form, or null when the DAG holds what it does not carry (external nodes, metadata the value codec cannot encode): then the JSON form is sent.</summary>
    public static byte[]? TryWrite(DagDefinition dag)
    {
        if (dag.Nodes.Any(n => n.Kind == NodeKind.External)) return null;
        try
        {
            using var buffer = new MemoryStream();
            using (var w = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
            {
                w.Write(Version);
                w.Write(dag.DagId);
                var operators = new Dictionary<string, int>(StringComparer.Ordinal);
                w.Write7BitEncodedInt(dag.Nodes.Count);
                foreach (var node in dag.Nodes)
                {
                    if (node.Kind == NodeKind.Constant)
                    {
                        w.Write((byte)0);
                        WriteBytes(w, ValueCodec.Encode(node.Value));
                        continue;
                    }

                    w.Write((byte)1);
                    if (operators.TryGetValue(node.Operator, out var known))
                    {
                        w.Write7BitEncodedInt(known + 1);
                    }
                    else
                    {
                        operators[node.Operator] = operators.Count;
                        w.Write7BitEncodedInt(0); // a new operator: its name follows
                        w.Write(node.Operator);
                    }

                    w.Write7BitEncodedInt(node.Revision);
                    w.Write7BitEncodedInt(node.Arguments.Length);
                    foreach (var a in node.Arguments) w.Write7BitEncodedInt(a);
                    WriteBytes(w, node.Attributes is { Count: > 0 } attributes ? ValueCodec.Encode(attributes) : []);
                }

                w.Write7BitEncodedInt(dag.Labels.Count);
                foreach (var (label, index) in dag.Labels)
                {
                    w.Write(label);
                    w.Write7BitEncodedInt(index);
                }

                w.Write7BitEncodedInt(dag.Goals.Count);
                foreach (var goal in dag.Goals)
                {
                    w.Write(goal.Name);
                    w.Write((byte)goal.Kind);
                    w.Write7BitEncodedInt(goal.Node);
                    w.Write(goal.Path is not null);
                    if (goal.Path is not null) w.Write(goal.Path);
                }

                w.Write(dag.Metadata is not null);
                if (dag.Metadata is not null) WriteBytes(w, ValueCodec.Encode(dag.Metadata));
            }

            return buffer.ToArray();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or NotSupportedException)
        {
            return null; // a value the codec does not know: the JSON form carries it
        }
    }

    /// <summary>Rebuilds a DAG sent by <see cref="TryWrite"/>, with the operators of <paramref name="operations"/>.</summary>
    /// <exception cref="ValidationException">Every problem: unknown operators, wrong arities, references to later nodes, bad goals or a malformed form.</exception>
    public static DagDefinition Read(byte[] data, IOperatorResolver operations)
    {
        var problems = new List<ValidationProblem>();
        try
        {
            using var r = new BinaryReader(new MemoryStream(data, writable: false), Encoding.UTF8);
            if (r.ReadInt32() != Version) throw new InvalidDataException("an unknown version of the compact DAG form");
            var dagId = r.ReadString();
            var count = r.Read7BitEncodedInt();
            if (count < 0 || count > data.Length) throw new InvalidDataException($"a node count of {count}");
            var builder = new DagBuilder(count);
            var operators = new List<string>();
            var index = new int[count];
            for (var i = 0; i < count; i++)
            {
                if (r.ReadByte() == 0)
                {
                    index[i] = builder.Constant(ValueCodec.Decode(ReadBytes(r)));
                    continue;
                }

                var code = r.Read7BitEncodedInt();
                if (code == 0) operators.Add(r.ReadString());
                else if (code > operators.Count) throw new InvalidDataException($"node {i} names operator {code - 1} of {operators.Count}");
                var name = operators[code == 0 ? ^1 : code - 1];
                var revision = r.Read7BitEncodedInt();
                var arity = r.Read7BitEncodedInt();
                if (arity < 0 || arity > data.Length) throw new InvalidDataException($"node {i} has {arity} arguments");
                var args = new int[arity];
                var missing = false;
                for (var a = 0; a < arity; a++)
                {
                    var argument = r.Read7BitEncodedInt();
                    if (argument < 0 || argument >= i)
                    {
                        problems.Add(new("MissingDependency", $"Node {i} depends on node {argument}, which is not an earlier node."));
                        missing = true;
                    }
                    else
                    {
                        args[a] = index[argument];
                    }
                }

                var attributeBytes = ReadBytes(r);
                var attributes = attributeBytes.Length == 0 ? null : ValueCodec.Decode(attributeBytes) as IReadOnlyDictionary<string, object?>
                    ?? throw new InvalidDataException($"node {i}'s attributes are not a record");
                if (!Resolve(operations, name, out var op))
                {
                    problems.Add(new("UnknownOperation", $"Node {i} uses the unknown operation '{name}'."));
                    continue;
                }

                if (!op.AcceptsArity(arity))
                {
                    problems.Add(new("WrongArity", $"Node {i}: '{op.Name}' takes {op.ArityText} argument(s), not {arity}."));
                    continue;
                }

                // The silo's own revision, as the JSON path compiles it (a client's revision is informative only).
                _ = revision;
                if (!missing) index[i] = builder.Operation(op.Name, op.Revision, args, attributes);
            }

            if (problems.Count > 0) throw new ValidationException(problems);
            var labels = r.Read7BitEncodedInt();
            for (var i = 0; i < labels; i++)
            {
                var label = r.ReadString();
                var node = r.Read7BitEncodedInt();
                if ((uint)node >= (uint)count || !builder.TryLabel(label, index[node])) problems.Add(new("InvalidLabel", $"Label '{label}' names node {node}, which is not a node of the DAG or is taken."));
            }

            var goals = r.Read7BitEncodedInt();
            for (var i = 0; i < goals; i++)
            {
                var name = r.ReadString();
                var kind = (GoalKind)r.ReadByte();
                var node = r.Read7BitEncodedInt();
                var path = r.ReadBoolean() ? r.ReadString() : null;
                if (!Enum.IsDefined(kind)) problems.Add(new("InvalidGoal", $"Goal '{name}' has an unknown kind."));
                else if ((uint)node >= (uint)count) problems.Add(new("InvalidGoal", $"Goal '{name}' names node {node}, which is not a node of the DAG."));
                else builder.AddGoal(new DagGoal(name, kind, index[node], path));
            }

            var metadata = r.ReadBoolean() ? ValueCodec.Decode(ReadBytes(r)) as IReadOnlyDictionary<string, object?> : null;
            if (r.BaseStream.Position != r.BaseStream.Length) throw new InvalidDataException("bytes after the end");
            if (problems.Count > 0) throw new ValidationException(problems);
            return builder.Build(dagId, metadata);
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or FormatException or ArgumentException or OverflowException)
        {
            throw new ValidationException($"The DAG's compact form is malformed: {e.Message}", "InvalidDag");
        }
    }

    private static bool Resolve(IOperatorResolver operations, string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IOperatorSignature? op) =>
        operations.TryResolve(name, out op) || (!name.Contains('.', StringComparison.Ordinal) && operations.TryResolve("default." + name, out op));

    private static void WriteBytes(BinaryWriter w, byte[] bytes)
    {
        w.Write7BitEncodedInt(bytes.Length);
        w.Write(bytes);
    }

    private static byte[] ReadBytes(BinaryReader r)
    {
        var length = r.Read7BitEncodedInt();
        if (length < 0 || length > r.BaseStream.Length - r.BaseStream.Position) throw new InvalidDataException($"a value of {length} bytes past the end");
        return r.ReadBytes(length);
    }
}
