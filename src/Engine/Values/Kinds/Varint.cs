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

    /// <summary>A count of items or bytes that follow it, at most the bytes left in <paramref name="data"/>.</summary>
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

        // A count of items or bytes: every item takes at least one byte (its own length), so a count
        // past the bytes left is damage. Checked before a caller allocates by it: stranger-controlled bytes
        // (a cluster submission) could otherwise make a reader allocate far more than they hold.
        if (result > (ulong)data.Length)
        {
            throw new FormatException($"Length {result} larger than the remaining data ({data.Length} bytes).");
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
