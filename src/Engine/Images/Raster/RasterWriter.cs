using SkiaSharp;
using VoxScheduler.Values;

namespace VoxScheduler.Images.Raster;

/// <summary>
/// Writes 2-D images as PNG or JPEG (quality 95) through Skia (IMAGES.md §2): a boolean image as
/// 0/255 grayscale, a number image as grayscale and a colour image as RGB(A), values clamped to
/// 0..255 and rounded half to even. A 3-D image is an error; BMP is read, not written.
/// </summary>
internal sealed class RasterWriter : ValueFileWriter
{
    private const int JpegQuality = 95;

    public RasterWriter()
        : base(".png", ".jpg", ".jpeg")
    {
    }

    public override void Write(Stream output, string path, object value)
    {
        ArgumentNullException.ThrowIfNull(output);
        var image = value as Image ?? throw new InvalidOperationException($"{Path.GetFileName(path)}: only images are saved as PNG or JPEG.");
        var g = image.Geometry;
        if (g.Dimensions != 2)
        {
            throw new InvalidOperationException($"{Path.GetFileName(path)}: PNG and JPEG hold 2-D images; this image is {g.SizeText} (save it as .nii or .nii.gz).");
        }

        var jpeg = !path.EndsWith(".png", StringComparison.OrdinalIgnoreCase);
        var format = jpeg ? SKEncodedImageFormat.Jpeg : SKEncodedImageFormat.Png;
        var quality = jpeg ? JpegQuality : 100;
        byte[] pixels;
        SKImageInfo info;
        switch (image.Kind)
        {
            case VoxelKind.Boolean:
                pixels = image.Booleans.ToArray();
                for (var i = 0; i < pixels.Length; i++) pixels[i] = pixels[i] != 0 ? (byte)255 : (byte)0;
                info = new SKImageInfo(g.Width, g.Height, SKColorType.Gray8, SKAlphaType.Opaque);
                break;
            case VoxelKind.Number:
            {
                var numbers = image.Numbers;
                pixels = new byte[numbers.Length];
                for (var i = 0; i < pixels.Length; i++) pixels[i] = ColourByte.Of(numbers[i]);
                info = new SKImageInfo(g.Width, g.Height, SKColorType.Gray8, SKAlphaType.Opaque);
                break;
            }

            default:
            {
                var components = image.Components;
                var n = image.Kind.Components();
                pixels = new byte[checked(4 * (int)image.VoxelCount)];
                for (int p = 0, c = 0; p < pixels.Length; p += 4, c += n)
                {
                    pixels[p] = ColourByte.Of(components[c]);
                    pixels[p + 1] = ColourByte.Of(components[c + 1]);
                    pixels[p + 2] = ColourByte.Of(components[c + 2]);
                    pixels[p + 3] = n == 4 ? ColourByte.Of(components[c + 3]) : (byte)255;
                }

                var opaque = n == 3 || jpeg; // JPEG has no alpha
                info = new SKImageInfo(g.Width, g.Height, SKColorType.Rgba8888, opaque ? SKAlphaType.Opaque : SKAlphaType.Unpremul);
                break;
            }
        }

        Encode(output, path, info, pixels, format, quality);
    }

    private static unsafe void Encode(Stream output, string path, SKImageInfo info, byte[] pixels, SKEncodedImageFormat format, int quality)
    {
        fixed (byte* p = pixels)
        {
            using var pixmap = new SKPixmap(info, (IntPtr)p, info.RowBytes);
            if (!pixmap.Encode(output, format, quality))
            {
                throw new InvalidOperationException($"{Path.GetFileName(path)}: Skia could not encode the image as {format}.");
            }
        }
    }
}
