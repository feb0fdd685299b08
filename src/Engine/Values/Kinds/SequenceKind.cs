using System.Buffers;

namespace VoxScheduler.Values.Kinds;

/// <summary>A sequence (<c>object?[]</c>): a varint count, then each item as a varint length and its encoded value.</summary>
internal sealed class SequenceKind : ValueKind
{
    public static readonly SequenceKind Instance = new();

    private SequenceKind()
        : base((byte)ValueTag.Sequence, "sequence")
    {
    }

    public override bool Accepts(object value) => value is object?[];

    public override void WritePayload(IBufferWriter<byte> output, object? value, int depth)
    {
        var seq = (object?[])value!;
        Varint.Write(output, (ulong)seq.Length);
        foreach (var item in seq)
        {
            ValueCodec.WriteNested(output, item, depth);
        }
    }

    public override object? ReadPayload(ReadOnlySpan<byte> payload, int depth)
    {
        var count = Varint.ReadCount(ref payload);
        var items = new object?[count];
        for (var i = 0; i < count; i++)
        {
            var slice = Varint.Take(ref payload, Varint.ReadCount(ref payload));
            items[i] = ValueCodec.ReadNested(slice, depth + 1, "Sequence item");
        }

        if (!payload.IsEmpty) throw new FormatException($"{payload.Length} unexpected bytes after the encoded value.");
        return items;
    }

    /// <summary>The array itself; its items are counted by <see cref="ValueKinds.EstimateSize"/>.</summary>
    public override long SizeInBytes(object? value) => 24 + 8L * ((object?[])value!).Length;

    public override string Summary(object? value)
    {
        var n = ((object?[])value!).Length;
        return $"sequence of {n} item{(n == 1 ? "" : "s")}";
    }

    public override DataType Classify(object? value, long streamingThreshold) =>
        value is object?[] { Length: > 0 } seq && seq.All(x => x is IReadOnlyDictionary<string, object?>) ? DataType.Dataset : DataType.Nested;
}
