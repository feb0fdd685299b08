using VoxScheduler.Images.Nifti;
using VoxScheduler.Images.Raster;

namespace VoxScheduler.Images;

/// <summary>
/// Images as the front ends hand them out (issue #15 item 7): NIfTI files for tools, and a PNG of
/// one axial slice for people looking at a result in a browser.
/// </summary>
public static class ImageExport
{
    private static readonly NiftiWriter Nifti = new();
    private static readonly RasterWriter Raster = new();

    /// <summary>Writes <paramref name="image"/> as a single-file NIfTI-1 (gzip-compressed when <paramref name="compressed"/>), exactly as <c>save</c> does.</summary>
    public static void WriteNifti(Stream output, Image image, bool compressed)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(image);
        Nifti.Write(output, compressed ? "image.nii.gz" : "image.nii", image);
    }

    /// <summary>
    /// Writes the axial slice <paramref name="slice"/> (z index; the middle one, depth / 2, when
    /// null) as an 8-bit PNG for display. Unlike <c>save</c>, which clamps to 0..255, a number
    /// image is windowed from its minimum to its maximum over the whole volume (min → 0, max → 255;
    /// a constant image is black, NaN is black), so every image is visible whatever its range. A
    /// boolean image is 0/255; a colour image is clamped as <c>save</c> does.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The slice is outside 0 .. depth − 1 (the message says the range).</exception>
    public static void WriteAxialSlicePng(Stream output, Image image, int? slice)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(image);
        var g = image.Geometry;
        var z = slice ?? g.Depth / 2;
        if (z < 0 || z >= g.Depth)
        {
            throw new ArgumentOutOfRangeException(nameof(slice), z,
                $"Slice {z} is outside the image: it has {g.Depth} axial slice{(g.Depth == 1 ? string.Empty : "s")} (0 to {g.Depth - 1}).");
        }

        var plane = checked(g.Width * g.Height);
        var geometry = ImageGeometry.Create(2, g.Width, g.Height, 1, new Vector3D(g.Spacing.X, g.Spacing.Y, 1));
        Image view;
        switch (image.Kind)
        {
            case VoxelKind.Boolean:
                view = Image.FromBooleans(geometry, image.Booleans.Slice(z * plane, plane).ToArray());
                break;
            case VoxelKind.Number:
            {
                var (min, max, _) = image.Statistics();
                var source = image.Numbers.Slice(z * plane, plane);
                var window = new float[plane];
                var range = (double)max - min;
                var scale = range > 0 && double.IsFinite(range) ? 255.0 / range : 0.0;
                for (var i = 0; i < plane; i++)
                {
                    var v = source[i];
                    // NaN and ±∞ (outside a finite window) become black and white through the clamp of the writer.
                    window[i] = float.IsNaN(v) ? 0f : scale == 0 ? (v > min ? 255f : 0f) : (float)((v - min) * scale);
                }

                view = Image.FromNumbers(geometry, window);
                break;
            }

            default:
            {
                var n = image.Kind.Components();
                view = Image.FromColours(geometry, image.Kind, image.Components.Slice(z * plane * n, plane * n).ToArray());
                break;
            }
        }

        Raster.Write(output, "slice.png", view);
    }
}
