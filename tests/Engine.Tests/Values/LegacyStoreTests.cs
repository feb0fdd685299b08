using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using VoxScheduler.Dag;
using VoxScheduler.Storage;
using VoxScheduler.Tests.Acceptance;
using VoxScheduler.Tests.Storage;
using VoxScheduler.Values;

namespace VoxScheduler.Tests.Values;

/// <summary>
/// Stores written by the engine before the registry of value kinds (commit 4a0b1cf, fixture made by
/// tests/fixtures/values/legacy-stores/make-legacy-stores.cs.txt) read back byte for byte and decode
/// to the same values: the stored form of every built-in value is unchanged.
/// </summary>
public sealed class LegacyStoreTests
{
    /// <summary>The values the fixture holds, as the generator wrote them.</summary>
    private static readonly Dictionary<string, object?> Expected = new(StringComparer.Ordinal)
    {
        ["null"] = null,
        ["number"] = 2.5,
        ["number-negative-zero"] = -0.0,
        ["number-infinity"] = double.PositiveInfinity,
        ["number-nan"] = double.NaN,
        ["boolean-true"] = true,
        ["boolean-false"] = false,
        ["string"] = "héllo, wörld ✓",
        ["string-empty"] = "",
        ["bytes"] = new byte[] { 0, 1, 2, 254, 255 },
        ["bytes-large"] = RandomBytes(70_000),
        ["uint64"] = ulong.MaxValue,
        ["int64"] = long.MinValue,
        ["sequence"] = new object?[] { 1.0, "two", true, null, new object?[] { 3.0 } },
        ["sequence-empty"] = Array.Empty<object?>(),
        ["record"] = new Dictionary<string, object?> { ["b"] = 1.0, ["a"] = "x", ["nested"] = new Dictionary<string, object?> { ["k"] = false } },
        ["dataset"] = new object?[]
        {
            new Dictionary<string, object?> { ["id"] = 1.0, ["name"] = "one" },
            new Dictionary<string, object?> { ["id"] = 2.0, ["name"] = "two" },
        },
    };

    [Theory]
    [InlineData("sqlite")]
    [InlineData("filesystem")]
    [InlineData("hybrid")]
    public async Task A_store_written_before_the_registry_reads_back_byte_identical_and_decodes_to_the_same_values(string backend)
    {
        using var temp = new TempFolder();
        var fixture = Path.Combine(RepoPaths.Root, "tests", "fixtures", "values", "legacy-stores");
        CopyFolder(Path.Combine(fixture, backend), temp.Sub(backend));
        using var manifest = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(fixture, "manifest.json")));
        Assert.Equal(Expected.Count, manifest.RootElement.EnumerateObject().Count());

        await using var store = await StoreFactory.OpenAsync(backend, temp.Sub(backend));
        foreach (var entry in manifest.RootElement.EnumerateObject())
        {
            var id = NodeId.Parse(entry.Value.GetProperty("id").GetString()!);
            Assert.Equal(NodeId.Hash(Encoding.UTF8.GetBytes("legacy-store:" + entry.Name)), id);
            var stored = await store.RetrieveAsync(id);
            Assert.NotNull(stored);
            Assert.Equal(entry.Value.GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(stored)));

            var expected = Expected[entry.Name];
            Assert.Equal(stored, ValueCodec.Encode(expected)); // today's encoder writes the same bytes
            Assert.Equal(expected, ValueCodec.Decode((ReadOnlySpan<byte>)stored));
            Assert.Equal(expected, ValueCodec.Decode(stored.ToArray()));
            await using var stream = await store.OpenReadAsync(id);
            Assert.Equal(expected, ValueCodec.Decode(stream!, stored.LongLength));
            Assert.Equal(ValueCodec.Classify(expected), (await store.GetMetadataAsync(id))!.DataType);
        }
    }

    private static byte[] RandomBytes(int n)
    {
        var bytes = new byte[n];
        new Random(42).NextBytes(bytes);
        return bytes;
    }

    private static void CopyFolder(string source, string target)
    {
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }
    }
}
