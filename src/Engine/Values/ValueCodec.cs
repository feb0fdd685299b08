using System.Buffers;
using System.Buffers.Binary;
using System.Collections;
using System.Text;

namespace VoxScheduler.Values;

/// <summary>
/// The byte form of runtime values, as stored. A value is one tag byte followed by its
/// payload; bytes values are the tag followed by the raw bytes, so a large bytes result can
/// be streamed in and out without re-encoding.
/// Runtime values are: <see cref="double"/>, <see cref="bool"/>, <see cref="string"/>,
/// <c>byte[]</c>, <c>object?[]</c> (sequence), <see cref="ulong"/>, <see cref="long"/>,
/// <c>IReadOnlyDictionary&lt;string, object?&gt;</c> (record) and null.
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

        var buffer = new ArrayBufferWriter<byte>(32);
        Write(buffer, value, 0);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Encodes a value into a buffer.</summary>
    public static void Encode(IBufferWriter<byte> output, object? value) => Write(output, value, 0);

    /// <summary>Decodes a value encoded by <see cref="Encode(object?)"/>.</summary>
    /// <exception cref="FormatException">The bytes are not a valid encoding.</exception>
    public static object? Decode(ReadOnlySpan<byte> data)
    {
        var value = Read(ref data, 0);
        if (!data.IsEmpty)
        {
            throw new FormatException($"{data.Length} unexpected bytes after the encoded value.");
        }

        return value;
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
    public static DataType Classify(object? value, long streamingThreshold = long.MaxValue) => value switch
    {
        byte[] b => b.LongLength >= streamingThreshold ? DataType.LargeObject : DataType.Binary,
        object?[] seq when seq.Length > 0 && seq.All(x => x is IReadOnlyDictionary<string, object?>) => DataType.Dataset,
        object?[] or IReadOnlyDictionary<string, object?> => DataType.Nested,
        _ => DataType.Primitive,
    };

    /// <summary>A short human-readable type name (number, boolean, string, bytes, sequence, record, null).</summary>
    public static string TypeName(object? value) => value switch
    {
        null => "null",
        double or ulong or long => "number",
        bool => "boolean",
        string => "string",
        byte[] => "bytes",
        object?[] => "sequence",
        IReadOnlyDictionary<string, object?> => "record",
        _ => value.GetType().Name,
    };

    private static void Write(IBufferWriter<byte> output, object? value, int depth)
    {
        if (depth > MaxDepth) throw new ArgumentException($"Values nested deeper than {MaxDepth} levels cannot be stored.");
        switch (value)
        {
            case null:
                WriteTag(output, ValueTag.Null);
                break;
            case double d:
            {
                var span = output.GetSpan(9);
                span[0] = (byte)ValueTag.Number;
                BinaryPrimitives.WriteDoubleLittleEndian(span[1..], d);
                output.Advance(9);
                break;
            }
            case bool b:
            {
                var span = output.GetSpan(2);
                span[0] = (byte)ValueTag.Boolean;
                span[1] = b ? (byte)1 : (byte)0;
                output.Advance(2);
                break;
            }
            case string s:
            {
                var max = Encoding.UTF8.GetMaxByteCount(s.Length) + 1;
                var span = output.GetSpan(max);
                span[0] = (byte)ValueTag.String;
                output.Advance(1 + Encoding.UTF8.GetBytes(s, span[1..]));
                break;
            }
            case byte[] bytes:
                WriteTag(output, ValueTag.Bytes);
                output.Write(bytes);
                break;
            case ulong u:
            {
                var span = output.GetSpan(9);
                span[0] = (byte)ValueTag.UInt64;
                BinaryPrimitives.WriteUInt64LittleEndian(span[1..], u);
                output.Advance(9);
                break;
            }
            case long l:
            {
                var span = output.GetSpan(9);
                span[0] = (byte)ValueTag.Int64;
                BinaryPrimitives.WriteInt64LittleEndian(span[1..], l);
                output.Advance(9);
                break;
            }
            case object?[] seq:
                WriteTag(output, ValueTag.Sequence);
                WriteVarint(output, (ulong)seq.Length);
                foreach (var item in seq)
                {
                    WriteNested(output, item, depth);
                }

                break;
            case IReadOnlyDictionary<string, object?> record:
                WriteTag(output, ValueTag.Record);
                WriteVarint(output, (ulong)record.Count);
                foreach (var (key, item) in record.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    var keyBytes = Encoding.UTF8.GetBytes(key);
                    WriteVarint(output, (ulong)keyBytes.Length);
                    output.Write(keyBytes);
                    WriteNested(output, item, depth);
                }

                break;
            default:
                Write(output, Normalize(value, depth), depth);
                break;
        }
    }

    private static void WriteNested(IBufferWriter<byte> output, object? item, int depth)
    {
        var inner = new ArrayBufferWriter<byte>(16);
        Write(inner, item, depth + 1);
        WriteVarint(output, (ulong)inner.WrittenCount);
        output.Write(inner.WrittenSpan);
    }

    private static object? Read(ref ReadOnlySpan<byte> data, int depth)
    {
        if (depth > MaxDepth) throw new FormatException("Encoded value nested too deeply.");
        if (data.IsEmpty) throw new FormatException("Empty encoded value.");
        var tag = (ValueTag)data[0];
        data = data[1..];
        switch (tag)
        {
            case ValueTag.Null:
                return null;
            case ValueTag.Number:
                return BinaryPrimitives.ReadDoubleLittleEndian(Take(ref data, 8));
            case ValueTag.Boolean:
                return Take(ref data, 1)[0] != 0;
            case ValueTag.String:
            {
                var s = Encoding.UTF8.GetString(data);
                data = default;
                return s;
            }
            case ValueTag.Bytes:
            {
                var b = data.ToArray();
                data = default;
                return b;
            }
            case ValueTag.UInt64:
                return BinaryPrimitives.ReadUInt64LittleEndian(Take(ref data, 8));
            case ValueTag.Int64:
                return BinaryPrimitives.ReadInt64LittleEndian(Take(ref data, 8));
            case ValueTag.Sequence:
            {
                var count = ReadCount(ref data);
                var items = new object?[count];
                for (var i = 0; i < count; i++)
                {
                    var len = ReadCount(ref data);
                    var slice = Take(ref data, len);
                    items[i] = Read(ref slice, depth + 1);
                    if (!slice.IsEmpty) throw new FormatException("Sequence item longer than its payload.");
                }

                return items;
            }
            case ValueTag.Record:
            {
                var count = ReadCount(ref data);
                var record = new Dictionary<string, object?>(count, StringComparer.Ordinal);
                for (var i = 0; i < count; i++)
                {
                    var key = Encoding.UTF8.GetString(Take(ref data, ReadCount(ref data)));
                    var slice = Take(ref data, ReadCount(ref data));
                    record[key] = Read(ref slice, depth + 1);
                    if (!slice.IsEmpty) throw new FormatException("Record field longer than its payload.");
                }

                return record;
            }
            default:
                throw new FormatException($"Unknown value tag {(byte)tag}.");
        }
    }

    private static int ReadCount(ref ReadOnlySpan<byte> data)
    {
        ulong result = 0;
        var shift = 0;
        while (true)
        {
            if (data.IsEmpty || shift > 56) throw new FormatException("Truncated length.");
            var b = data[0];
            data = data[1..];
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) break;
            shift += 7;
        }

        if (result > int.MaxValue || (long)result > data.Length + 1L && result > (ulong)data.Length * 8 + 8)
        {
            throw new FormatException("Length larger than the remaining data.");
        }

        return (int)result;
    }

    private static ReadOnlySpan<byte> Take(ref ReadOnlySpan<byte> data, int count)
    {
        if (data.Length < count) throw new FormatException("Truncated encoded value.");
        var head = data[..count];
        data = data[count..];
        return head;
    }

    private static void WriteTag(IBufferWriter<byte> output, ValueTag tag)
    {
        output.GetSpan(1)[0] = (byte)tag;
        output.Advance(1);
    }

    private static void WriteVarint(IBufferWriter<byte> output, ulong value)
    {
        var span = output.GetSpan(10);
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[i++] = (byte)value;
        output.Advance(i);
    }
}
