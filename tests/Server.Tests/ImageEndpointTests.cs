using System.IO.Compression;
using System.Net;
using System.Text.Json;
using SkiaSharp;
using VoxScheduler.Images;

namespace VoxScheduler.Tests;

/// <summary>
/// Image results over real HTTP (issue #15 item 7): listed by their summary, never by voxels;
/// served as .nii.gz, or as a PNG of an axial slice windowed from min to max.
/// </summary>
[Collection("Server")]
public sealed class ImageEndpointTests(ServerFixture fixture)
{
    // 6×5×4 voxels, value x + 10 y + 100 z: min 0, max 345; spacing (1, 1, 2.5).
    private const int Nx = 6, Ny = 5, Nz = 4;
    private const float Max = 5 + 40 + 300;

    private HttpClient Client => fixture.Host.Client;

    private static float ValueAt(int x, int y, int z) => x + 10 * y + 100 * z;

    /// <summary>Writes the volume into the data root and runs a program printing it; returns the answer.</summary>
    private async Task<JsonElement> RunVolumeAsync(string backend)
    {
        var folder = Directory.CreateDirectory(Path.Combine(fixture.Host.DataRoot, "images-" + Guid.NewGuid().ToString("N")));
        var voxels = new float[Nx * Ny * Nz];
        for (var z = 0; z < Nz; z++)
            for (var y = 0; y < Ny; y++)
                for (var x = 0; x < Nx; x++)
                    voxels[x + Nx * (y + Ny * z)] = ValueAt(x, y, z);
        var image = Image.FromNumbers(ImageGeometry.Create(3, Nx, Ny, Nz, new Vector3D(1, 1, 2.5)), voxels);
        var path = Path.Combine(folder.FullName, "vol.nii.gz");
        await using (var file = File.Create(path)) ImageExport.WriteNifti(file, image, compressed: true);
        var answer = await Client.RunAsync($"print \"vol\" load(\"{path}\")\nprint \"n\" 2", storagePath: backend == "none" ? null : folder.Name + "-store", backend: backend);
        Assert.Equal("completed", answer.GetProperty("status").GetString());
        return answer;
    }

    [Fact]
    public async Task An_image_past_the_streaming_threshold_is_listed_by_its_summary_and_downloaded_as_nifti_from_the_store()
    {
        // streaming_threshold 256 B makes the 480-byte volume a large image, left in the store as a 100 MB scan is.
        var folder = Directory.CreateDirectory(Path.Combine(fixture.Host.DataRoot, "large-" + Guid.NewGuid().ToString("N")));
        var voxels = new float[Nx * Ny * Nz];
        for (var z = 0; z < Nz; z++)
            for (var y = 0; y < Ny; y++)
                for (var x = 0; x < Nx; x++)
                    voxels[x + Nx * (y + Ny * z)] = ValueAt(x, y, z);
        var image = Image.FromNumbers(ImageGeometry.Create(3, Nx, Ny, Nz, new Vector3D(1, 1, 2.5)), voxels);
        var path = Path.Combine(folder.FullName, "vol.nii.gz");
        await using (var file = File.Create(path)) ImageExport.WriteNifti(file, image, compressed: true);
        var storage = folder.Name + "-store";
        using var response = await Client.PostExecutionAsync(new
        {
            program = $"print \"vol\" load(\"{path}\")", storage_path = storage, storage_backend = "hybrid", streaming_threshold = 256,
        });
        var answer = await Api.JsonAsync(response, HttpStatusCode.OK);
        var id = answer.GetProperty("execution_id").GetString();

        var history = await Client.GetJsonAsync($"api/v1/history/{id}?storage_path={storage}");
        foreach (var goal in new[] { answer.GetProperty("result").GetProperty("goals")[0], (await Client.GetJsonAsync($"api/v1/execution/{id}/results")).GetProperty("goals")[0], history.GetProperty("goals")[0] })
        {
            Assert.Equal("large_object", goal.GetProperty("data_type").GetString());
            Assert.False(goal.TryGetProperty("value_omitted", out _), goal.GetRawText());
            var value = goal.GetProperty("value");
            Assert.Equal("image", value.GetProperty("type").GetString());
            Assert.Equal("float32", value.GetProperty("kind").GetString());
            Assert.Equal([Nx, Ny, Nz], value.GetProperty("size").EnumerateArray().Select(e => e.GetInt32()));
            Assert.Equal([1.0, 1.0, 2.5], value.GetProperty("spacing").EnumerateArray().Select(e => e.GetDouble()));
            Assert.Equal(0, value.GetProperty("min").GetDouble());
            Assert.Equal(Max, value.GetProperty("max").GetDouble());
            Assert.Equal("Image 6×5×4 float32, min 0 max 345, 480 B", value.GetProperty("summary").GetString());
        }

        using var content = await Client.GetAsync($"api/v1/execution/{id}/results/0/content");
        Assert.Equal(HttpStatusCode.OK, content.StatusCode);
        Assert.Equal("application/gzip", content.Content.Headers.ContentType?.MediaType);
        await using var gzip = new GZipStream(await content.Content.ReadAsStreamAsync(), CompressionMode.Decompress);
        using var nifti = new MemoryStream();
        await gzip.CopyToAsync(nifti);
        using var expected = new MemoryStream();
        ImageExport.WriteNifti(expected, image, compressed: false);
        Assert.Equal(expected.ToArray(), nifti.ToArray());
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("none")]
    public async Task Results_list_an_image_by_its_summary_never_its_voxels(string backend)
    {
        var answer = await RunVolumeAsync(backend);
        var id = answer.GetProperty("execution_id").GetString();
        var results = await Client.GetJsonAsync($"api/v1/execution/{id}/results");
        var goal = results.GetProperty("goals")[0];
        Assert.Equal("vol", goal.GetProperty("name").GetString());
        Assert.False(goal.TryGetProperty("encoding", out _), goal.GetRawText());
        var value = goal.GetProperty("value");
        Assert.Equal("image", value.GetProperty("type").GetString());
        Assert.Equal("float32", value.GetProperty("kind").GetString());
        Assert.Equal([Nx, Ny, Nz], value.GetProperty("size").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal([1.0, 1.0, 2.5], value.GetProperty("spacing").EnumerateArray().Select(e => e.GetDouble()));
        Assert.Equal(0, value.GetProperty("min").GetDouble());
        Assert.Equal(Max, value.GetProperty("max").GetDouble());
        Assert.Equal("Image 6×5×4 float32, min 0 max 345, 480 B", value.GetProperty("summary").GetString());
        // The whole goal is a few hundred bytes: no voxel array, no base64 buffer.
        Assert.True(goal.GetRawText().Length < 1000, goal.GetRawText());
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("none")]
    public async Task Content_of_an_image_is_a_gzipped_NIfTI_file_with_its_voxels(string backend)
    {
        var answer = await RunVolumeAsync(backend);
        var id = answer.GetProperty("execution_id").GetString();
        using var response = await Client.GetAsync($"api/v1/execution/{id}/results/vol/content");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/gzip", response.Content.Headers.ContentType?.MediaType);
        Assert.EndsWith(".nii.gz", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        await using var gzip = new GZipStream(await response.Content.ReadAsStreamAsync(), CompressionMode.Decompress);
        using var nii = new MemoryStream();
        await gzip.CopyToAsync(nii);
        var bytes = nii.ToArray();
        Assert.Equal(348, BitConverter.ToInt32(bytes, 0));
        Assert.Equal([3, Nx, Ny, Nz], Enumerable.Range(0, 4).Select(i => (int)BitConverter.ToInt16(bytes, 40 + 2 * i)));
        Assert.Equal(16, BitConverter.ToInt16(bytes, 70)); // float32
        Assert.Equal(2.5f, BitConverter.ToSingle(bytes, 76 + 3 * 4));
        var offset = (int)BitConverter.ToSingle(bytes, 108);
        Assert.Equal(offset + 4 * Nx * Ny * Nz, bytes.Length);
        Assert.Equal(ValueAt(3, 2, 1), BitConverter.ToSingle(bytes, offset + 4 * (3 + Nx * (2 + Ny * 1))));
        Assert.Equal(Max, BitConverter.ToSingle(bytes, bytes.Length - 4));
    }

    [Theory]
    [InlineData(null, 2)] // the middle slice: 4 / 2
    [InlineData(0, 0)]
    [InlineData(3, 3)]
    public async Task Png_is_one_axial_slice_windowed_from_min_to_max(int? slice, int z)
    {
        var answer = await RunVolumeAsync("sqlite");
        var id = answer.GetProperty("execution_id").GetString();
        var query = slice is { } s ? $"?format=png&slice={s}" : "?format=png";
        using var response = await Client.GetAsync($"api/v1/execution/{id}/results/0/content{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        using var bitmap = SKBitmap.Decode(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(Nx, bitmap.Width);
        Assert.Equal(Ny, bitmap.Height);
        for (var y = 0; y < Ny; y++)
        {
            for (var x = 0; x < Nx; x++)
            {
                // Windowed, not clamped: 345 is white although save would clamp only above 255.
                var expected = (byte)Math.Round((float)(ValueAt(x, y, z) * (255.0 / Max)), MidpointRounding.ToEven);
                Assert.Equal(expected, bitmap.GetPixel(x, y).Red);
            }
        }

        if (z == 0) Assert.Equal(0, bitmap.GetPixel(0, 0).Red);
        if (z == 3) Assert.Equal(255, bitmap.GetPixel(Nx - 1, Ny - 1).Red);
    }

    [Theory]
    [InlineData("?format=png&slice=4", "Slice 4 is outside the image: it has 4 axial slices (0 to 3).")]
    [InlineData("?format=png&slice=-1", "'slice' is a slice number")]
    [InlineData("?format=png&slice=middle", "'slice' is a slice number")]
    [InlineData("?slice=1", "add format=png")]
    [InlineData("?format=bmp", "Unknown format 'bmp'")]
    public async Task Bad_image_requests_are_clear_400s(string query, string detail)
    {
        var answer = await RunVolumeAsync("sqlite");
        var id = answer.GetProperty("execution_id").GetString();
        using var response = await Client.GetAsync($"api/v1/execution/{id}/results/vol/content{query}");
        var problem = await Api.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(detail, problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("none")]
    public async Task A_png_of_a_value_that_is_not_an_image_is_a_400(string backend)
    {
        var answer = await RunVolumeAsync(backend);
        var id = answer.GetProperty("execution_id").GetString();
        using var response = await Client.GetAsync($"api/v1/execution/{id}/results/n/content?format=png");
        var problem = await Api.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("not an image", problem.GetProperty("detail").GetString());
    }
}
