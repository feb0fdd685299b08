using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;

namespace VoxScheduler.Values.Kinds;

/// <summary>A signed 64-bit integer (values from PowerShell or user DAGs): 8 bytes little endian.</summary>
internal sealed class Int64Kind : ValueKind
{
    public static readonly Int64Kind Instance = new();

    private Int64Kind()
        : base((byte)ValueTag.Int64, "number")
    {
    }

    public override bool Accepts(object value) => value is long;

    public override void WritePayload(IBufferWriter<byte> output, object? value, int depth)
    {
        BinaryPrimitives.WriteInt64LittleEndian(output.GetSpan(8), (long)value!);
        output.Advance(8);
    }

    public override object? ReadPayload(ReadOnlySpan<byte> payload, int depth) =>
        BinaryPrimitives.ReadInt64LittleEndian(FixedPayload.Check(payload, 8));

    public override long SizeInBytes(object? value) => 24;

    public override string Summary(object? value) => ((long)value!).ToString(CultureInfo.InvariantCulture);
}
