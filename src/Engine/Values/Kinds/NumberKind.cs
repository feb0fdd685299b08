using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;

namespace VoxScheduler.Values.Kinds;

/// <summary>A number (<see cref="double"/>): 8 bytes, IEEE 754 little endian.</summary>
internal sealed class NumberKind : ValueKind
{
    public static readonly NumberKind Instance = new();

    private NumberKind()
        : base((byte)ValueTag.Number, "number")
    {
    }

    public override bool Accepts(object value) => value is double;

    public override void WritePayload(IBufferWriter<byte> output, object? value, int depth)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(output.GetSpan(8), (double)value!);
        output.Advance(8);
    }

    public override object? ReadPayload(ReadOnlySpan<byte> payload, int depth) =>
        BinaryPrimitives.ReadDoubleLittleEndian(FixedPayload.Check(payload, 8));

    public override long SizeInBytes(object? value) => 24;

    public override string Summary(object? value) => ((double)value!).ToString("R", CultureInfo.InvariantCulture);
}
