using System.Buffers;
using System.Text;

namespace VoxScheduler.Values.Kinds;

/// <summary>
/// A record (<c>IReadOnlyDictionary&lt;string, object?&gt;</c>): a varint count, then per field in
/// ordinal key order the UTF-8 key (varint length first) and the value (varint length first).
/// </summary>
internal sealed class RecordKind : ValueKind
{
    public static readonly RecordKind Instance = new();

    private RecordKind()
        : base((byte)ValueTag.Record, "record")
    {
    }

    public override bool Accepts(object value) => value is IReadOnlyDictionary<string, object?>;

    public override void WritePayload(IBufferWriter<byte> output, object? value, int depth)
    {
        var record = (IReadOnlyDictionary<string, object?>)value!;
        Varint.Write(output, (ulong)record.Count);
        foreach (var (key, item) in record.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var keyBytes = Encoding.UTF8.GetBytes(key);
            Varint.Write(output, (ulong)keyBytes.Length);
            output.Write(keyBytes);
            ValueCodec.WriteNested(output, item, depth);
        }
    }

    public override object? ReadPayload(ReadOnlySpan<byte> payload, int depth)
    {
        var count = Varint.ReadCount(ref payload);
        var record = new Dictionary<string, object?>(count, StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var key = Encoding.UTF8.GetString(Varint.Take(ref payload, Varint.ReadCount(ref payload)));
            var slice = Varint.Take(ref payload, Varint.ReadCount(ref payload));
            record[key] = ValueCodec.ReadNested(slice, depth + 1, "Record field");
        }

        if (!payload.IsEmpty) throw new FormatException($"{payload.Length} unexpected bytes after the encoded value.");
        return record;
    }

    /// <summary>The dictionary and its keys; the field values are counted by <see cref="ValueKinds.EstimateSize"/>.</summary>
    public override long SizeInBytes(object? value)
    {
        var record = (IReadOnlyDictionary<string, object?>)value!;
        var total = 64 + 48L * record.Count;
        foreach (var key in record.Keys) total += 24 + 2L * key.Length;
        return total;
    }

    public override string Summary(object? value)
    {
        var n = ((IReadOnlyDictionary<string, object?>)value!).Count;
        return $"record of {n} field{(n == 1 ? "" : "s")}";
    }

    public override DataType Classify(object? value, long streamingThreshold) => DataType.Nested;
}
