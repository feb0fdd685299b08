using System.Buffers;
using System.Collections;
using VoxScheduler.Values.Kinds;

namespace VoxScheduler.Values;

/// <summary>
/// The byte form of runtime values, as stored. A value is one tag byte (its kind's
/// <see cref="ValueKind.Tag"/>) followed by its payload, written and read by the kind registered
/// in <see cref="ValueKinds"/>; bytes values are the tag followed by the raw bytes, so a large
/// bytes result can be streamed in and out without re-encoding.
/// Built-in runtime values are: <see cref="double"/>, <see cref="bool"/>, <see cref="string"/>,
/// <c>byte[]</c>, <c>object?[]</c> (sequence), <see cref="ulong"/>, <see cref="long"/>,
/// <c>IReadOnlyDictionary&lt;string, object?&gt;</c> (record) and null; higher layers add kinds.
/// </summary>
public static class ValueCodec
{
    private const int MaxDepth = 512;

    /// <summary>Encodes a value.</summary>
    public static byte[] Encode(object? value)
    {
        if (value is byte[] raw)
        {
            var result = new byte[raw.Length + 1];
            result[0] = (byte)ValueTag.Bytes;
            raw.CopyTo(result.AsSpan(1));
            return result;
        }

        if (value is not null && ValueKinds.Of(value) is { } kind && kind.PayloadLength(value) is { } payload && payload < Array.MaxLength)
        {
            // A kind that knows its payload's length (an image): one array of exactly that size, written
            // once from the value's memory; a growing buffer would copy a large image about three times.
            var exact = GC.AllocateUninitializedArray<byte>((int)(1 + payload));
            using var stream = new MemoryStream(exact, writable: true);
            stream.WriteByte(kind.Tag);
            kind.WritePayload(stream, value);
            if (stream.Position != exact.Length) throw new InvalidOperationException($"A {kind.Name} wrote {stream.Position - 1} bytes of payload, not the {payload} it announced.");
            return exact;
        }

        var buffer = new ArrayBufferWriter<byte>(32);
        Write(buffer, value, 0);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Encodes a value into a buffer.</summary>
    public static void Encode(IBufferWriter<byte> output, object? value) => Write(output, value, 0);

    /// <summary>Encodes a value into a stream; a kind with a large payload writes it straight from the value's memory.</summary>
    public static void Encode(Stream output, object? value)
    {
        ArgumentNullException.ThrowIfNull(output);
        var kind = KindOf(value, 0, out var normalized);
        output.WriteByte(kind.Tag);
        kind.WritePayload(output, normalized);
    }

    /// <summary>
    /// The encoding of <paramref name="value"/> without a copy, when its kind keeps it in the value's
    /// own memory (<see cref="ValueKind.TryGetEncoded"/>); valid as long as the value is.
    /// </summary>
    internal static bool TryGetEncoded(object? value, out ReadOnlyMemory<byte> encoded)
    {
        if (value is not null && ValueKinds.Of(value) is { } kind) return kind.TryGetEncoded(value, out encoded);
        encoded = default;
        return false;
    }

    /// <summary>Bytes of a value's encoding, computed without encoding it where its kind knows them (an image).</summary>
    internal static long EncodedLength(object? value) =>
        value is not null && ValueKinds.Of(value)?.PayloadLength(value) is { } payload ? 1 + payload : Encode(value).LongLength;

    /// <summary>Decodes a value encoded by <see cref="Encode(object?)"/>.</summary>
    /// <exception cref="FormatException">The bytes are not a valid encoding.</exception>
    public static object? Decode(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty) throw new FormatException("Empty encoded value.");
        return KindOfTag(data[0]).ReadPayload(data[1..], 0);
    }

    /// <summary>
    /// Decodes a value from an array the caller hands over and never modifies again: a kind with a
    /// large payload (an image) may keep the array instead of copying it.
    /// </summary>
    /// <exception cref="FormatException">The bytes are not a valid encoding.</exception>
    public static object? Decode(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Length == 0) throw new FormatException("Empty encoded value.");
        return KindOfTag(data[0]).ReadPayload(data.AsMemory(1), 0);
    }

    /// <summary>Decodes a value of <paramref name="length"/> encoded bytes from a stream (a large payload is read once, not copied).</summary>
    /// <exception cref="FormatException">The stream ends early or the bytes are not a valid encoding.</exception>
    public static object? Decode(Stream input, long length)
    {
        ArgumentNullException.ThrowIfNull(input);
        var tag = length > 0 ? input.ReadByte() : -1;
        if (tag < 0) throw new FormatException("Empty encoded value.");
        return KindOfTag((byte)tag).ReadPayload(input, length - 1);
    }

    /// <summary>Normalises a CLR value to the runtime value model (ints to doubles, lists to arrays, …).</summary>
    /// <exception cref="ArgumentException">The value has no runtime representation.</exception>
    public static object? Normalize(object? value, int depth = 0)
    {
        if (depth > MaxDepth) throw new ArgumentException($"Values nested deeper than {MaxDepth} levels are not supported.");
        return value switch
        {
            null or double or bool or string or byte[] or ulong or long => value,
            int i => (double)i,
            float f => (double)f,
            decimal m => (double)m,
            short s => (double)s,
            uint u => (double)u,
            byte b => (double)b,
            char c => c.ToString(),
            object?[] array => NormalizeArray(array, depth),
            IReadOnlyDictionary<string, object?> record => record.ToDictionary(kv => kv.Key, kv => Normalize(kv.Value, depth + 1), StringComparer.Ordinal),
            IDictionary dict => dict.Keys.Cast<object>().ToDictionary(k => k.ToString() ?? string.Empty, k => Normalize(dict[k], depth + 1), StringComparer.Ordinal),
            _ when ValueKinds.Of(value) is not null => value,
            IEnumerable seq => seq.Cast<object?>().Select(v => Normalize(v, depth + 1)).ToArray(),
            _ => throw new ArgumentException($"A value of type {value.GetType().FullName} cannot be a result."),
        };
    }

    private static object?[] NormalizeArray(object?[] array, int depth)
    {
        object?[]? copy = null;
        for (var i = 0; i < array.Length; i++)
        {
            var n = Normalize(array[i], depth + 1);
            if (!ReferenceEquals(n, array[i]) && copy is null)
            {
                copy = (object?[])array.Clone();
            }

            if (copy is not null) copy[i] = n;
        }

        return copy ?? array;
    }

    /// <summary>The data category of a value.</summary>
    public static DataType Classify(object? value, long streamingThreshold = long.MaxValue) =>
        ValueKinds.Of(value)?.Classify(value, streamingThreshold) ?? DataType.Primitive;

    /// <summary>A short human-readable type name (number, boolean, string, bytes, sequence, record, null, or a registered kind's name).</summary>
    public static string TypeName(object? value) => ValueKinds.Of(value)?.Name ?? value!.GetType().Name;

    /// <summary>Writes a nested value as its varint length and its encoding (sequence items, record fields).</summary>
    internal static void WriteNested(IBufferWriter<byte> output, object? item, int depth)
    {
        var inner = new ArrayBufferWriter<byte>(16);
        Write(inner, item, depth + 1);
        Varint.Write(output, (ulong)inner.WrittenCount);
        output.Write(inner.WrittenSpan);
    }

    /// <summary>Reads a nested value that fills <paramref name="data"/> exactly.</summary>
    internal static object? ReadNested(ReadOnlySpan<byte> data, int depth, string what)
    {
        if (depth > MaxDepth) throw new FormatException("Encoded value nested too deeply.");
        if (data.IsEmpty) throw new FormatException($"{what} is empty.");
        return KindOfTag(data[0]).ReadPayload(data[1..], depth);
    }

    private static void Write(IBufferWriter<byte> output, object? value, int depth)
    {
        if (depth > MaxDepth) throw new ArgumentException($"Values nested deeper than {MaxDepth} levels cannot be stored.");
        var kind = KindOf(value, depth, out var normalized);
        output.GetSpan(1)[0] = kind.Tag;
        output.Advance(1);
        kind.WritePayload(output, normalized, depth);
    }

    private static ValueKind KindOf(object? value, int depth, out object? normalized)
    {
        normalized = value;
        if (ValueKinds.Of(value) is { } kind) return kind;
        normalized = Normalize(value, depth);
        return ValueKinds.Of(normalized)!;
    }

    private static ValueKind KindOfTag(byte tag) => ValueKinds.FromTag(tag) ?? throw new FormatException($"Unknown value tag {tag}.");
}
