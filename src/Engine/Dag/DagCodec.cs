using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace VoxScheduler.Dag;

/// <summary>
/// The compact binary form of a DAG, in the two places a DAG is kept or sent as bytes: what a
/// finished execution keeps of its DAG, and the form a DAG travels in from a cluster client to the
/// coordinating silo. Node indexes instead of 64-hex names, each operator's name once, arguments
/// as distances back, constants, attributes and metadata in the value byte form the caller gives
/// (<see cref="DagValueCodec"/>). Node ids are not written: they are content addresses, recomputed
/// when the form is read. A writer that keeps ids also writes the id of a node whose id does not
/// follow from what is written (an external reference; a value that does not read back to the
/// same id, checked when writing); one that does not keep them has no form for a DAG with
/// external nodes.
/// <para>
/// Layout (varints are unsigned LEB128 of 32 bits, strings a varint byte length and UTF-8, blocks
/// a varint length and the value codec's bytes): the version as a 4-byte little-endian integer;
/// the DAG id; the node count; each node: a head byte (kind in bits 0-1, <c>0x04</c> an id
/// follows, <c>0x08</c> attributes follow), then for a constant its value block, for an operation
/// its operator (an index into the operators named so far; the next index is followed by the new
/// name), revision, argument count and each argument's distance back, the attributes block; the
/// 32-byte id when the head says so; the goals (name, kind, node, a path flag byte and the path);
/// the labels (name, node); a metadata flag byte and its block.
/// </para>
/// </summary>
internal static class DagCodec
{
    /// <summary>The form's version, its first four bytes. Version 1 was the cluster's first wire form (no ids, absolute argument indexes).</summary>
    public const int Version = 2;

    internal const byte KindMask = 0x03, ExplicitId = 0x04, HasAttributes = 0x08;

    /// <summary>
    /// The compact form, or null when the DAG holds what it cannot carry: a value or metadata the
    /// value codec has no form for, or (without <paramref name="keepIds"/>) an external node.
    /// </summary>
    /// <param name="dag">The DAG.</param>
    /// <param name="values">The byte form of its values.</param>
    /// <param name="keepIds">Check that every constant and attribute reads back to its node's id and write the ids that do not, and those of external nodes (for <see cref="Restore"/>); <see cref="Read"/> refuses them.</param>
    public static byte[]? TryWrite(DagDefinition dag, DagValueCodec values, bool keepIds)
    {
        ArgumentNullException.ThrowIfNull(dag);
        ArgumentNullException.ThrowIfNull(values);
        var output = new ArrayBufferWriter<byte>(64 + 8 * dag.Nodes.Count);
        try
        {
            return Write(output, dag, values, keepIds) ? output.WrittenSpan.ToArray() : null;
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or FormatException or InvalidOperationException)
        {
            return null; // a value the value codec does not know (a DAG built by a library user)
        }
    }

    /// <summary>The DAG written by <see cref="TryWrite"/> in this process: node for node, ids (kept or recomputed), operators and revisions as written.</summary>
    /// <exception cref="ValidationException">The bytes are not such a form.</exception>
    public static DagDefinition Restore(byte[] data, DagValueCodec values) => DagCodecReader.Restore(data, values);

    /// <summary>
    /// Rebuilds a DAG a stranger sent, with a <see cref="DagBuilder"/> and the operators of
    /// <paramref name="operations"/> (their own names and revisions; the written revision is
    /// informative only), within <paramref name="limits"/>. Ids are computed, never taken.
    /// </summary>
    /// <exception cref="ValidationException">Every problem (unknown operators, wrong arities, arguments that are not earlier nodes, invalid values, kept ids, external nodes, bad goals and labels; at most <see cref="DagCodecLimits.MaxProblems"/> listed), or a form that is malformed, of another version or past a limit.</exception>
    public static DagDefinition Read(byte[] data, DagValueCodec values, IOperatorResolver operations, DagCodecLimits limits)
    {
        ArgumentNullException.ThrowIfNull(operations);
        return DagCodecReader.Read(data, values, operations, limits);
    }

    private static bool Write(ArrayBufferWriter<byte> output, DagDefinition dag, DagValueCodec values, bool keepIds)
    {
        BinaryPrimitives.WriteInt32LittleEndian(output.GetSpan(4), Version);
        output.Advance(4);
        WriteString(output, dag.DagId);
        var nodes = dag.Nodes;
        var operators = new Dictionary<string, int>(StringComparer.Ordinal);
        WriteVarint(output, (uint)nodes.Count);
        for (var i = 0; i < nodes.Count; i++)
        {
            var node = nodes[i];
            switch (node.Kind)
            {
                case NodeKind.Constant:
                {
                    var value = values.Encode(node.Value);
                    var keep = keepIds && !ReadsBack(node.Id, values.Decode(value), static back => DagBuilder.ComputeConstantId(back));
                    WriteByte(output, (byte)((byte)NodeKind.Constant | (keep ? ExplicitId : 0)));
                    WriteBlock(output, value);
                    if (keep) WriteId(output, node.Id);
                    break;
                }

                case NodeKind.External:
                    if (!keepIds) return false;
                    WriteByte(output, (byte)NodeKind.External | ExplicitId);
                    WriteId(output, node.Id);
                    break;
                default:
                {
                    var attributes = node.Attributes is { Count: > 0 } given ? values.Encode(given) : null;
                    var keep = false;
                    if (keepIds && attributes is not null)
                    {
                        var ids = new NodeId[node.Arguments.Length];
                        for (var a = 0; a < ids.Length; a++) ids[a] = nodes[node.Arguments[a]].Id;
                        var back = values.Decode(attributes) as IReadOnlyDictionary<string, object?> ?? throw new FormatException("Attributes did not read back as a record.");
                        keep = !ReadsBack(node.Id, back, b => DagBuilder.ComputeOperationId(node.Operator, node.Revision, ids, b));
                    }

                    WriteByte(output, (byte)((byte)NodeKind.Operation | (keep ? ExplicitId : 0) | (attributes is null ? 0 : HasAttributes)));
                    if (operators.TryGetValue(node.Operator, out var known))
                    {
                        WriteVarint(output, (uint)known);
                    }
                    else
                    {
                        WriteVarint(output, (uint)operators.Count); // the next index: its name follows
                        operators[node.Operator] = operators.Count;
                        WriteString(output, node.Operator);
                    }

                    WriteVarint(output, unchecked((uint)node.Revision));
                    WriteVarint(output, (uint)node.Arguments.Length);
                    foreach (var a in node.Arguments) WriteVarint(output, (uint)(i - a)); // arguments come before their node: short distances
                    if (attributes is not null) WriteBlock(output, attributes);
                    if (keep) WriteId(output, node.Id);
                    break;
                }
            }
        }

        WriteVarint(output, (uint)dag.Goals.Count);
        foreach (var goal in dag.Goals)
        {
            WriteString(output, goal.Name);
            WriteVarint(output, (uint)goal.Kind);
            WriteVarint(output, (uint)goal.Node);
            WriteByte(output, goal.Path is null ? (byte)0 : (byte)1);
            if (goal.Path is not null) WriteString(output, goal.Path);
        }

        WriteVarint(output, (uint)dag.Labels.Count);
        foreach (var (name, node) in dag.Labels)
        {
            WriteString(output, name);
            WriteVarint(output, (uint)node);
        }

        WriteByte(output, dag.Metadata is null ? (byte)0 : (byte)1);
        if (dag.Metadata is not null) WriteBlock(output, values.Encode(dag.Metadata));
        return true;
    }

    /// <summary>True when what is written recomputes the node's id; a value that no longer hashes (its read-back form has no canonical JSON) does not.</summary>
    private static bool ReadsBack<T>(NodeId id, T back, Func<T, NodeId> recompute)
    {
        try
        {
            return recompute(back) == id;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static void WriteByte(ArrayBufferWriter<byte> output, byte value)
    {
        output.GetSpan(1)[0] = value;
        output.Advance(1);
    }

    private static void WriteVarint(ArrayBufferWriter<byte> output, uint value)
    {
        var span = output.GetSpan(5);
        var n = 0;
        for (; value >= 0x80; value >>= 7) span[n++] = (byte)(value | 0x80);
        span[n++] = (byte)value;
        output.Advance(n);
    }

    private static void WriteString(ArrayBufferWriter<byte> output, string text)
    {
        var length = Encoding.UTF8.GetByteCount(text);
        WriteVarint(output, (uint)length);
        output.Advance(Encoding.UTF8.GetBytes(text, output.GetSpan(length)));
    }

    private static void WriteBlock(ArrayBufferWriter<byte> output, byte[] bytes)
    {
        WriteVarint(output, (uint)bytes.Length);
        output.Write(bytes);
    }

    private static void WriteId(ArrayBufferWriter<byte> output, NodeId id)
    {
        id.CopyTo(output.GetSpan(NodeId.ByteLength));
        output.Advance(NodeId.ByteLength);
    }
}
