using System.Buffers;

namespace VoxScheduler.Values.Kinds;

/// <summary>Raw bytes: the bytes themselves, to the end of the payload (so they stream in and out unchanged).</summary>
internal sealed class BytesKind : ValueKind
{
    public static readonly BytesKind Instance = new();

    private BytesKind()
        : base((byte)ValueTag.Bytes, "bytes")
    {
    }

    public override bool Accepts(object value) => value is byte[];

    public override void WritePayload(IBufferWriter<byte> output, object? value, int depth) => output.Write((byte[])value!);

    public override void WritePayload(Stream output, object? value)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.Write((byte[])value!);
    }

    public override object? ReadPayload(ReadOnlySpan<byte> payload, int depth) => payload.ToArray();

    public override long SizeInBytes(object? value) => 24 + ((byte[])value!).LongLength;

    public override string Summary(object? value) => $"{((byte[])value!).LongLength} bytes";

    public override DataType Classify(object? value, long streamingThreshold) =>
        ((byte[])value!).LongLength >= streamingThreshold ? DataType.LargeObject : DataType.Binary;
}
