using System.Security.Cryptography;
using VoxScheduler.Cluster.Client;
using VoxScheduler.Hosting;
using VoxScheduler.Images;
using VoxScheduler.Operations.Builtins;
using VoxScheduler.Scheduling;
using VoxScheduler.Values;

namespace VoxScheduler.Tests.Cluster;

/// <summary>
/// An image program on the in-process cluster (three silos, real PostgreSQL): vox1 primitives on
/// seeded synthetic scans made by a pure operation (a cluster has no <c>load</c>), a <c>map</c>
/// over a constant list (unrolled while reducing) and one over a sequence known only while
/// running (expanded by the coordinator), and an image of more than one store chunk. Every goal
/// has the node id and the value of a local run of the same program; image goals are compared
/// by kind, size and the SHA-256 of their voxels, read back from the shared store.
/// </summary>
[Collection("cluster")]
[Trait("Category", "Postgres")]
public sealed class ClusterImageTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    private const string Program = """
        import "vox1"
        brain(img) = !touch(20 .>= img, border(img))
        hyper(img) = smoothen(180 .<= img, 1.0) & brain(img)
        lesion(img) = grow(hyper(img), 150 .<= img)
        scan(s) = intensity(ct.phantom(32, 32, 32, s))
        segment(s) = volume(lesion(scan(s)))
        print "one" segment(1)
        print "mask" lesion(scan(2))
        print "scan" scan(7) + 1
        print "chunked" ct.phantom(64, 64, 72, 3) + 1
        print "unrolled" map(segment, [4, 5])
        print "expanded" map(segment, ct.seeds(10, 3))
        """;

    [Fact]
    public async Task An_image_program_with_a_run_time_map_gives_the_node_ids_and_values_of_a_local_run()
    {
        var registry = BuiltinOperations.CreateRegistry();
        ClusterTestOps.Register(registry);
        await using var local = new DynamicScheduler(registry);
        var expected = await new VoxLogicaIntegration(local).ExecuteProgramAsync(Program, config: new ExecutionConfig { StorageBackend = "none" });
        Assert.Equal(ExecutionStatus.Completed, expected.Status);

        var ns = ClusterFixture.NewNamespace("images");
        var execution = await fixture.Client.SubmitProgramAsync(Program, new ClusterSubmitOptions { StoreNamespace = ns });
        var result = await execution.WaitAsync().WaitAsync(Patience);

        Assert.True(result.Status == ExecutionStatus.Completed, $"{result.Status}: {result.Error} {string.Join("; ", result.Goals.Select(g => $"{g.Name} {g.Status} {g.Error}"))}");
        Assert.Equal(expected.Goals.Select(g => (g.Name, g.NodeId)), result.Goals.Select(g => (g.Name, g.NodeId)));
        // The run-time map expanded into the same nodes here and there.
        Assert.Equal(expected.Progress.TotalNodes, result.Progress.TotalNodes);
        await using var store = await fixture.OpenStoreAsync(ns);
        foreach (var goal in result.Goals)
        {
            var bytes = await store.RetrieveAsync(goal.NodeId);
            Assert.NotNull(bytes);
            var want = expected.Goals.Single(g => g.Name == goal.Name).Value;
            var got = ValueCodec.Decode(bytes);
            if (want is Image image)
            {
                var stored = Assert.IsType<Image>(got);
                Assert.Equal((image.Kind, image.Geometry.SizeText, Sha(image)), (stored.Kind, stored.Geometry.SizeText, Sha(stored)));
            }
            else
            {
                Assert.Equal(want, got);
            }
        }

        // The values are not trivial: the segmentations found something, and differ between seeds.
        var volumes = Assert.IsType<object?[]>(expected.Goals.Single(g => g.Name == "expanded").Value);
        Assert.Equal(3, volumes.Length);
        Assert.All(volumes, v => Assert.True((double)v! > 0));
        Assert.True(volumes.Distinct().Count() > 1, string.Join(", ", volumes));
        Assert.Equal(VoxelKind.Boolean, ((Image)expected.Goals.Single(g => g.Name == "mask").Value!).Kind);
        // Larger than a store chunk (1 MiB): written and read back in chunks.
        Assert.True(result.Goals.Single(g => g.Name == "chunked").Size > 1024 * 1024);
    }

    private static string Sha(Image image) => Convert.ToHexStringLower(SHA256.HashData(image.RawBytes));
}
