using System.Buffers;

namespace VoxScheduler.Values.Kinds;

/// <summary>A boolean: one byte, 0 or 1 (any non-zero byte reads as true).</summary>
internal sealed class BooleanKind : ValueKind
{
    public static readonly BooleanKind Instance = new();

    private BooleanKind()
        : base((byte)ValueTag.Boolean, "boolean")
    {
    }

    public override bool Accepts(object value) => value is bool;

    public override void WritePayload(IBufferWriter<byte> output, object? value, int depth)
    {
        output.GetSpan(1)[0] = (bool)value! ? (byte)1 : (byte)0;
        output.Advance(1);
    }

    public override object? ReadPayload(ReadOnlySpan<byte> payload, int depth) => FixedPayload.Check(payload, 1)[0] != 0;

    public override long SizeInBytes(object? value) => 24;

    public override string Summary(object? value) => (bool)value! ? "true" : "false";
}
