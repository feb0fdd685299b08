using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;

namespace VoxScheduler.Tests.Images;

/// <summary>Hand-made PNG and BMP files (kinds Skia does not write: 16-bit, palette, BMP), built byte by byte from their specifications.</summary>
internal static class PngBytes
{
    /// <summary>A PNG of one colour type and bit depth; <paramref name="rows"/> are the unfiltered scanlines.</summary>
    public static byte[] Png(int width, int height, byte bitDepth, byte colourType, byte[][] rows, byte[]? palette = null)
    {
        using var output = new MemoryStream();
        output.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = bitDepth;
        ihdr[9] = colourType;
        Chunk(output, "IHDR", ihdr);
        if (palette is not null) Chunk(output, "PLTE", palette);
        using var raw = new MemoryStream();
        using (var z = new ZLibStream(raw, CompressionLevel.Optimal, leaveOpen: true))
        {
            foreach (var row in rows)
            {
                z.WriteByte(0); // filter: none
                z.Write(row);
            }
        }

        Chunk(output, "IDAT", raw.ToArray());
        Chunk(output, "IEND", []);
        return output.ToArray();
    }

    /// <summary>A 24-bit BMP; <paramref name="topDownRows"/> are BGR rows from the top of the picture (written bottom-up, as BMP stores them).</summary>
    public static byte[] Bmp24(int width, int height, byte[][] topDownRows)
    {
        var stride = (3 * width + 3) & ~3;
        var size = 54 + stride * height;
        var bmp = new byte[size];
        bmp[0] = (byte)'B';
        bmp[1] = (byte)'M';
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(2), size);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(10), 54);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(18), width);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(22), height);
        BinaryPrimitives.WriteInt16LittleEndian(bmp.AsSpan(26), 1);
        BinaryPrimitives.WriteInt16LittleEndian(bmp.AsSpan(28), 24);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(34), stride * height);
        for (var y = 0; y < height; y++)
        {
            topDownRows[y].CopyTo(bmp.AsSpan(54 + (height - 1 - y) * stride));
        }

        return bmp;
    }

    private static void Chunk(Stream output, string type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        output.Write(length);
        var typed = System.Text.Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        output.Write(typed);
        Span<byte> crc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32.HashToUInt32(typed));
        output.Write(crc);
    }
}
