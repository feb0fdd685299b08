using System.Buffers;
using System.Text;

namespace VoxScheduler.Values.Kinds;

/// <summary>Text: its UTF-8 bytes, to the end of the payload.</summary>
internal sealed class StringKind : ValueKind
{
    public static readonly StringKind Instance = new();

    private const int SummaryLength = 80;

    private StringKind()
        : base((byte)ValueTag.String, "string")
    {
    }

    public override bool Accepts(object value) => value is string;

    public override void WritePayload(IBufferWriter<byte> output, object? value, int depth)
    {
        var s = (string)value!;
        var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(s.Length));
        output.Advance(Encoding.UTF8.GetBytes(s, span));
    }

    public override object? ReadPayload(ReadOnlySpan<byte> payload, int depth) => Encoding.UTF8.GetString(payload);

    public override long SizeInBytes(object? value) => 24 + 2L * ((string)value!).Length;

    public override string Summary(object? value)
    {
        var s = (string)value!;
        return s.Length <= SummaryLength ? s : string.Concat(s.AsSpan(0, SummaryLength), "…");
    }

    public override DataType Classify(object? value, long streamingThreshold) => DataType.Primitive;
}
