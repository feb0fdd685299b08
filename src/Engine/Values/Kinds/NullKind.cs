using System.Buffers;

namespace VoxScheduler.Values.Kinds;

/// <summary>null: the tag alone.</summary>
internal sealed class NullKind : ValueKind
{
    public static readonly NullKind Instance = new();

    private NullKind()
        : base((byte)ValueTag.Null, "null")
    {
    }

    public override bool Accepts(object value) => false;

    public override void WritePayload(IBufferWriter<byte> output, object? value, int depth)
    {
    }

    public override object? ReadPayload(ReadOnlySpan<byte> payload, int depth)
    {
        FixedPayload.Check(payload, 0);
        return null;
    }

    public override long SizeInBytes(object? value) => 0;

    public override string Summary(object? value) => "null";
}
