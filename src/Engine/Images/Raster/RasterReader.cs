using System.Buffers.Binary;
using System.Runtime.InteropServices;
using SkiaSharp;
using VoxScheduler.Values;

namespace VoxScheduler.Images.Raster;

/// <summary>
/// Reads PNG, JPEG and BMP files through Skia as 2-D images (IMAGES.md §2): 8-bit grayscale as a
/// number image, 8-bit colour (with or without alpha, palette included) as a colour image with
/// components 0..255; row 0 of the file is y = 0. 16-bit PNG is refused (Skia would read it lossily).
/// </summary>
internal sealed class RasterReader : ValueFileReader
{
    /// <summary>Largest picture read, in pixels (a decompression bomb gets a clear error, not all the memory).</summary>
    public const long MaxPixels = 1L << 28;

    public RasterReader()
        : base(".png", ".jpg", ".jpeg", ".bmp")
    {
    }

    public override object Read(string path, ReadOnlyMemory<byte> content)
    {
        RefuseSixteenBitPng(path, content.Span);
        using var stream = MemoryMarshal.TryGetArray(content, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(content.ToArray(), writable: false);
        using var codec = SKCodec.Create(stream, out var result)
            ?? throw new InvalidDataException($"{path} is not an image Skia can read ({result}).");
        var info = codec.Info;
        if ((long)info.Width * info.Height > MaxPixels)
        {
            throw new InvalidDataException($"{path} has {info.Width}×{info.Height} pixels, more than the limit of {MaxPixels}.");
        }

        var geometry = ImageGeometry.Of2D(info.Width, info.Height);
        if (info.ColorType == SKColorType.Gray8)
        {
            var gray = Decode(path, codec, new SKImageInfo(info.Width, info.Height, SKColorType.Gray8, SKAlphaType.Opaque), info.Width);
            var numbers = new float[gray.Length];
            for (var i = 0; i < gray.Length; i++) numbers[i] = gray[i];
            return Image.FromNumbers(geometry, numbers);
        }

        var opaque = info.AlphaType == SKAlphaType.Opaque;
        var rgba = Decode(path, codec, new SKImageInfo(info.Width, info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul), 4 * info.Width);
        var components = opaque ? 3 : 4;
        var floats = new float[(long)info.Width * info.Height * components];
        for (long p = 0, o = 0; p < rgba.Length; p += 4)
        {
            for (var k = 0; k < components; k++) floats[o++] = rgba[p + k];
        }

        return Image.FromColours(geometry, opaque ? VoxelKind.Rgb : VoxelKind.Rgba, floats);
    }

    private static byte[] Decode(string path, SKCodec codec, SKImageInfo target, int rowBytes)
    {
        var pixels = new byte[(long)rowBytes * target.Height];
        var result = codec.GetPixels(target, pixels);
        if (result is not (SKCodecResult.Success or SKCodecResult.IncompleteInput))
        {
            throw new InvalidDataException($"{path} cannot be decoded: {result}.");
        }

        if (result == SKCodecResult.IncompleteInput) throw new InvalidDataException($"{path} is truncated.");
        return pixels;
    }

    /// <summary>The IHDR of a PNG says its bit depth; Skia would silently reduce 16 bits to 8.</summary>
    private static void RefuseSixteenBitPng(string path, ReadOnlySpan<byte> content)
    {
        if (content.Length < 26 || !content[..8].SequenceEqual((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A])) return;
        if (!content[12..16].SequenceEqual("IHDR"u8)) return;
        if (content[24] == 16)
        {
            throw new InvalidDataException($"{path} is a 16-bit PNG; only 8-bit PNG is supported (convert it, or save it as NIfTI).");
        }

        _ = BinaryPrimitives.ReadInt32BigEndian(content[16..]); // width: Skia checks the rest of the header
    }
}
