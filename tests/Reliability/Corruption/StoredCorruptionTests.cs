using VoxScheduler.Dag;
using VoxScheduler.Storage;
using VoxScheduler.Tests.Infrastructure;
using VoxScheduler.Values;
using Xunit.Abstractions;

namespace VoxScheduler.Tests.Corruption;

/// <summary>
/// Stored bytes damaged on disk (a flipped bit, a zeroed run, a truncated file), found by their
/// content so the test does not depend on a backend's layout: every read of the damaged result
/// reports a StorageException naming the node, never wrong bytes, and the other results still read.
/// </summary>
public sealed class StoredCorruptionTests(ITestOutputHelper output)
{
    private static readonly StoreOptions RawStore = new() { Compression = false, StreamingThreshold = 256 * 1024 };

    public static TheoryData<string, int, string> Cases()
    {
        var data = new TheoryData<string, int, string>();
        foreach (var backend in new[] { "sqlite", "filesystem", "hybrid" })
        {
            // Inline-sized, chunked-sized and above the streaming threshold.
            foreach (var size in new[] { 2_000, 100_000, 600_000 })
            {
                foreach (var damage in new[] { "flip", "zero", "truncate" })
                {
                    data.Add(backend, size, damage);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_damaged_result_is_reported_naming_its_node_and_never_served(string backend, int size, string damage)
    {
        // A detected result is quarantined (removed so it can be recomputed): each read path gets
        // its own freshly damaged copy.
        foreach (var path in new[] { "retrieve", "open-read", "stream" })
        {
            using var temp = new TempFolder("vox-corrupt");
            var folder = temp.Sub("store");
            var victimValue = ValueCodec.Encode(DiskDamage.Noise(size, size));
            var victim = NodeId.Hash(victimValue);
            var bystanders = Enumerable.Range(1, 3).Select(i => ValueCodec.Encode(DiskDamage.Noise(size / 2 + i, 1000 + i))).ToList();
            await using (var store = await StoreFactory.OpenAsync(backend, folder, RawStore))
            {
                await WriteAsync(store, victim, victimValue);
                foreach (var b in bystanders) await WriteAsync(store, NodeId.Hash(b), b);
                await store.FlushAsync();
            }

            Damage(backend, folder, victimValue, damage);
            await using (var store = await StoreFactory.OpenAsync(backend, folder, RawStore))
            {
                var error = await Assert.ThrowsAnyAsync<StorageException>(async () =>
                {
                    switch (path)
                    {
                        case "retrieve":
                            await store.RetrieveAsync(victim);
                            break;
                        case "open-read":
                            await using (var stream = await store.OpenReadAsync(victim))
                            {
                                Assert.NotNull(stream);
                                await stream!.CopyToAsync(Stream.Null);
                            }

                            break;
                        default:
                            await foreach (var _ in store.StreamAsync(victim, 4096))
                            {
                            }

                            break;
                    }
                });
                AssertNamesNode(error, victim);
                output.WriteLine($"{backend} {size} {damage} {path}: {error.GetType().Name}: {error.Message}");

                // Afterwards it is absent or still refused: never the wrong bytes.
                await store.FlushAsync();
                try
                {
                    var again = await store.RetrieveAsync(victim);
                    Assert.True(again is null || again.AsSpan().SequenceEqual(victimValue), "a damaged result was served after detection");
                }
                catch (StorageException)
                {
                }

                foreach (var b in bystanders)
                {
                    Assert.Equal(b, await store.RetrieveAsync(NodeId.Hash(b)));
                }
            }

            ReliabilityCounters.Add("corruptions", 1);
        }
    }

    private static void Damage(string backend, string folder, byte[] victimValue, string damage)
    {
        var needle = victimValue.AsSpan(victimValue.Length / 2, 48).ToArray();
        var holders = DiskDamage.FilesContaining(folder, needle);
        Assert.True(holders.Count > 0, $"{backend}: the victim's bytes were not found on disk raw (compression was off, the data is incompressible)");
        var sqliteFiles = DiskDamage.SqliteFiles(folder);
        var inDatabase = holders.All(sqliteFiles.Contains);
        switch (damage)
        {
            case "flip":
                DiskDamage.FlipInside(folder, needle);
                break;
            case "zero":
                // A torn write: a run of the data reads back as zeros.
                foreach (var file in holders)
                {
                    var bytes = File.ReadAllBytes(file);
                    var at = bytes.AsSpan().IndexOf(needle);
                    Array.Clear(bytes, at, needle.Length);
                    File.WriteAllBytes(file, bytes);
                }

                break;
            case "truncate" when !inDatabase:
                foreach (var file in holders.Where(h => !sqliteFiles.Contains(h)))
                {
                    using var s = new FileStream(file, FileMode.Open, FileAccess.Write);
                    s.SetLength(s.Length / 2);
                }

                break;
            default:
                // The bytes live inside the database: truncating the database file itself is the
                // damaged-database test; here the value loses a run of its tail (a zeroed page part).
                foreach (var file in holders)
                {
                    var bytes = File.ReadAllBytes(file);
                    var at = bytes.AsSpan().IndexOf(needle);
                    Array.Clear(bytes, at, Math.Min(needle.Length * 4, bytes.Length - at));
                    File.WriteAllBytes(file, bytes);
                }

                break;
        }
    }

    private static void AssertNamesNode(StorageException e, NodeId node)
    {
        Assert.True(e.NodeId == node, $"the error should name node {node}, it names {e.NodeId?.ToString() ?? "none"}: {e.Message}");
        Assert.Contains(node.ToString(), e.Message, StringComparison.Ordinal);
    }

    internal static async Task WriteAsync(IResultStore store, NodeId id, byte[] value)
    {
        var meta = new StorageMetadata { NodeId = id, DataType = DataType.Binary, Size = value.Length, Operator = "rel.noise" };
        if (value.Length < 256 * 1024)
        {
            await store.StoreAsync(id, value, meta);
            return;
        }

        await using var writer = await store.OpenWriteAsync(id, meta with { DataType = DataType.LargeObject });
        for (var at = 0; at < value.Length; at += 64 * 1024)
        {
            await writer.WriteAsync(value.AsMemory(at, Math.Min(64 * 1024, value.Length - at)));
        }

        await writer.CommitAsync();
    }
}
