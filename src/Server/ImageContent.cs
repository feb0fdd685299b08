using System.Globalization;
using System.Text.Json.Nodes;
using VoxScheduler.Images;

namespace VoxScheduler.Server;

/// <summary>
/// Image results over REST (issue #15 item 7): the content endpoint serves an image as
/// <c>.nii.gz</c> (the default, for tools) or, with <c>?format=png</c>, a PNG of one axial slice
/// (<c>&amp;slice=</c>, the middle one by default) windowed for display; result listings describe
/// an image by its summary, never by its voxels.
/// </summary>
internal sealed record ImageContent(bool Png, int? Slice)
{
    /// <summary>What a request without query parameters asks for.</summary>
    public static ImageContent Default { get; } = new(false, null);

    /// <summary>Reads <c>format</c> (<c>nii.gz</c> or <c>png</c>) and <c>slice</c> (PNG only, a non-negative integer).</summary>
    /// <exception cref="ApiProblemException">400 for an unknown format, a malformed slice, or a slice without <c>format=png</c>.</exception>
    public static ImageContent FromQuery(IQueryCollection query)
    {
        var format = query["format"].ToString();
        var png = format switch
        {
            "" or "nii.gz" => false,
            "png" => true,
            _ => throw ApiProblemException.BadRequest($"Unknown format '{format}': an image is served as 'nii.gz' (the default) or 'png' (one axial slice)."),
        };

        int? slice = null;
        if (query.TryGetValue("slice", out var given))
        {
            if (!png) throw ApiProblemException.BadRequest("'slice' picks the axial slice of a PNG: add format=png.");
            if (!int.TryParse(given.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var z))
                throw ApiProblemException.BadRequest($"'slice' is a slice number (0, 1, 2, …), not '{given}'.");
            slice = z;
        }

        return new ImageContent(png, slice);
    }

    /// <summary>True when the request named an image format, which a value that is not an image cannot honour.</summary>
    public bool AsksForImage => Png;

    /// <summary>The 400 for a <c>format=png</c> request on a value that is not an image.</summary>
    public static ApiProblemException NotAnImage() =>
        ApiProblemException.BadRequest("format=png is for image results; this value is not an image.");

    /// <summary>Serves <paramref name="image"/> as the request asks.</summary>
    /// <exception cref="ApiProblemException">400 when the slice is outside the image.</exception>
    public IResult Serve(Image image, string downloadName)
    {
        if (Png)
        {
            var png = new MemoryStream();
            try
            {
                ImageExport.WriteAxialSlicePng(png, image, Slice);
            }
            catch (ArgumentOutOfRangeException e)
            {
                throw ApiProblemException.BadRequest(e.Message.Split(" (Parameter", 2)[0]);
            }

            png.Position = 0;
            return TypedResults.Stream(png, "image/png");
        }

        // Compressed into memory first: Kestrel refuses the synchronous writes the gzip encoder
        // makes, and the compressed file is smaller than the image already held.
        var file = new MemoryStream();
        ImageExport.WriteNifti(file, image, compressed: true);
        file.Position = 0;
        return TypedResults.Stream(file, "application/gzip", NiftiName(downloadName));
    }

    /// <summary>The image's description in result listings: kind, size, spacing, min, max and the one-line summary.</summary>
    public static JsonObject Describe(Image image) => Describe(image.Kind, image.Geometry, image.Statistics(), image.ToString());

    /// <summary>The same description from a kind, a geometry and statistics (a stored image read as a stream).</summary>
    public static JsonObject Describe(VoxelKind kind, ImageGeometry g, (float Min, float Max, long Count) statistics, string summary)
    {
        var (min, max, count) = statistics;
        var size = new JsonArray(JsonValue.Create(g.Width), JsonValue.Create(g.Height));
        var spacing = new JsonArray(JsonValue.Create(g.Spacing.X), JsonValue.Create(g.Spacing.Y));
        if (g.Dimensions == 3)
        {
            size.Add((JsonNode)JsonValue.Create(g.Depth));
            spacing.Add((JsonNode)JsonValue.Create(g.Spacing.Z));
        }

        var description = new JsonObject
        {
            ["type"] = "image",
            ["kind"] = kind.DisplayName(),
            ["size"] = size,
            ["spacing"] = spacing,
            ["min"] = Number(min),
            ["max"] = Number(max),
        };
        if (kind == VoxelKind.Boolean) description["true_voxels"] = count;
        description["summary"] = summary;
        return description;
    }

    // Non-finite numbers as text, as ValueJson writes them.
    private static JsonNode Number(float value) =>
        float.IsFinite(value) ? JsonValue.Create((double)value) : JsonValue.Create(value.ToString(CultureInfo.InvariantCulture));

    internal static string NiftiName(string downloadName)
    {
        var stem = downloadName;
        foreach (var extension in new[] { ".nii.gz", ".nii", ".png", ".jpg", ".jpeg", ".bin" })
        {
            if (stem.EndsWith(extension, StringComparison.OrdinalIgnoreCase))
            {
                stem = stem[..^extension.Length];
                break;
            }
        }

        return stem + ".nii.gz";
    }
}
