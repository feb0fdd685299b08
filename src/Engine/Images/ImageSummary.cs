using System.Globalization;

namespace VoxScheduler.Images;

/// <summary>The one-line description of an image people read (results, listings, errors).</summary>
internal static class ImageSummary
{
    public static string Of(Image image) => Of(image.Kind, image.Geometry, image.RawBytes.Length, image.Statistics());

    public static string Of(VoxelKind kind, ImageGeometry geometry, long rawBytes, (float Min, float Max, long Count) statistics)
    {
        var (min, max, count) = statistics;
        var values = kind == VoxelKind.Boolean
            ? $"{count.ToString(CultureInfo.InvariantCulture)} true"
            : $"min {Number(min)} max {Number(max)}";
        return $"Image {geometry.SizeText} {kind.DisplayName()}, {values}, {Size(rawBytes)}";
    }

    private static string Number(float value) => value.ToString("G6", CultureInfo.InvariantCulture);

    /// <summary>Decimal units, one decimal: 35712000 bytes is 35.7 MB.</summary>
    private static string Size(long bytes) => bytes switch
    {
        < 1000 => $"{bytes} B",
        < 1_000_000 => (bytes / 1e3).ToString("0.0", CultureInfo.InvariantCulture) + " KB",
        < 1_000_000_000 => (bytes / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + " MB",
        _ => (bytes / 1e9).ToString("0.0", CultureInfo.InvariantCulture) + " GB",
    };
}
