using System.Buffers;

namespace VoxScheduler.Values.Kinds;

/// <summary>LEB128 lengths and bounded slicing shared by the nesting kinds.</summary>
internal static class Varint
{
    public static void Write(IBufferWriter<byte> output, ulong value)
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

    public static int ReadCount(ref ReadOnlySpan<byte> data)
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

    public static ReadOnlySpan<byte> Take(ref ReadOnlySpan<byte> data, int count)
    {
        if (data.Length < count) throw new FormatException("Truncated encoded value.");
        var head = data[..count];
        data = data[count..];
        return head;
    }
}
