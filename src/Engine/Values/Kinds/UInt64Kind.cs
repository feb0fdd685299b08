using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;

namespace VoxScheduler.Values.Kinds;

/// <summary>An unsigned 64-bit integer (values from PowerShell or user DAGs): 8 bytes little endian.</summary>
internal sealed class UInt64Kind : ValueKind
{
    public static readonly UInt64Kind Instance = new();

    private UInt64Kind()
        : base((byte)ValueTag.UInt64, "number")
    {
    }

    public override bool Accepts(object value) => value is ulong;

    public override void WritePayload(IBufferWriter<byte> output, object? value, int depth)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(output.GetSpan(8), (ulong)value!);
        output.Advance(8);
    }

    public override object? ReadPayload(ReadOnlySpan<byte> payload, int depth) =>
        BinaryPrimitives.ReadUInt64LittleEndian(FixedPayload.Check(payload, 8));

    public override long SizeInBytes(object? value) => 24;

    public override string Summary(object? value) => ((ulong)value!).ToString(CultureInfo.InvariantCulture);
}
