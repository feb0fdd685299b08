using VoxScheduler.Execution;
using VoxScheduler.Hosting;
using VoxScheduler.Images;
using VoxScheduler.Language;
using VoxScheduler.Operations;
using VoxScheduler.Operations.Builtins;
using VoxScheduler.Scheduling;
using VoxScheduler.Tests.Execution;
using VoxScheduler.Tests.Storage;

namespace VoxScheduler.Tests.Images;

/// <summary>
/// Pooled voxel buffers under the scheduler: images made by kernels go back to the shared pool
/// when the plan lets go of them and are reused by later nodes, and nothing that can still see
/// an image ever has its buffer taken: goal values, values a rerun reads from the store (written
/// from the pooled buffer itself), arguments given to code outside the engine. The reference
/// answers come from runs with the pool unable to keep anything (no buffer is ever reused, so no
/// aliasing can happen). Alone in their collection: they read the shared pool's counters.
/// </summary>
[Collection(MemoryMeasurementCollection.Name)]
public sealed class PooledImageSchedulingTests : IDisposable
{
    private const string Chain = """
        import "vox1"
        f = intensity(load("case.nii.gz"))
        m = 100 .<= f
        n = near(near(m))
        i = interior(n)
        d = dt(i)
        print "vol" volume(i)
        print "dmax" max(d)
        print "labels" max(lcc(n \ m))
        print "sum" max(f + (f * 2))
        print "img" near(i)
        """;

    private readonly TempFolder _work = new();
    private readonly long _maxIdle = VoxelBufferPool.Shared.MaxIdleBytes;

    public PooledImageSchedulingTests()
    {
        var random = new Random(15);
        var voxels = new float[24 * 20 * 16];
        for (var i = 0; i < voxels.Length; i++) voxels[i] = random.Next(0, 200);
        using var file = File.Create(_work.Combine("case.nii.gz"));
        ImageExport.WriteNifti(file, Image.FromNumbers(ImageGeometry.Of3D(24, 20, 16), voxels), compressed: true);
    }

    public void Dispose()
    {
        VoxelBufferPool.Shared.MaxIdleBytes = _maxIdle;
        _work.Dispose();
    }

    [Fact]
    public async Task Buffers_go_back_and_are_reused_and_every_answer_equals_a_run_that_never_reuses_one()
    {
        var reference = await RunAsync(Chain, "none", reuse: false);
        var returned = VoxelBufferPool.Shared.Returned;
        var reused = VoxelBufferPool.Shared.Reused;

        // One node at a time, no store: a value goes back as soon as its last consumer ran, so later nodes must reuse it.
        var pooled = await RunAsync(Chain, "none", reuse: true, concurrency: 1);
        Assert.True(VoxelBufferPool.Shared.Returned - returned >= 5, $"{VoxelBufferPool.Shared.Returned - returned} buffers returned");
        Assert.True(VoxelBufferPool.Shared.Reused - reused >= 3, $"{VoxelBufferPool.Shared.Reused - reused} buffers reused");
        AssertSameAnswers(reference, pooled);

        // With a store, values go back once durable (written from their own buffers), in parallel.
        returned = VoxelBufferPool.Shared.Returned;
        AssertSameAnswers(reference, await RunAsync(Chain, "hybrid", reuse: true));
        Assert.True(VoxelBufferPool.Shared.Returned - returned >= 5, $"{VoxelBufferPool.Shared.Returned - returned} buffers returned");

        // The goal image of the pooled run was never given back, and later runs reusing buffers do not touch it.
        var goal = Assert.IsType<Image>(pooled["img"]);
        Assert.False(goal.IsReturned);
        var copy = goal.Booleans.ToArray();
        await RunAsync(Chain, "none", reuse: true);
        await RunAsync(Chain.Replace("100 .<=", "50 .<=", StringComparison.Ordinal), "none", reuse: true);
        Assert.Equal(copy, goal.Booleans.ToArray());
        Assert.Equal(Assert.IsType<Image>(reference["img"]).Booleans.ToArray(), copy);
    }

    [Fact]
    public async Task Intermediate_images_written_from_their_pooled_buffers_are_read_back_intact_by_a_rerun()
    {
        const string intermediates = """
            import "vox1"
            f = intensity(load("case.nii.gz"))
            m = 100 .<= f
            n = near(near(m))
            print "n" n
            print "d" dt(interior(n))
            print "s" f + (f * 2)
            """;
        var reference = await RunAsync(intermediates, "none", reuse: false);
        await RunAsync(Chain, "hybrid", reuse: true, store: "shared-store"); // computes and stores them, recycling buffers as it goes
        var stored = await RunAsync(intermediates, "hybrid", reuse: true, store: "shared-store", expectCached: ["n", "d", "s"]);
        AssertSameAnswers(reference, stored);
    }

    [Fact]
    public async Task Arguments_given_to_code_outside_the_engine_keep_their_buffers()
    {
        object? kept = null;
        var registry = BuiltinOperations.CreateRegistry();
        registry.Register(Operation.Create("t.keep", 1, 1, c =>
        {
            kept = c[0];
            return 1.0;
        }));
        const string program = """
            import "vox1"
            f = intensity(load("case.nii.gz"))
            n = near(100 .<= f)
            print "k" t.keep(n)
            print "v" volume(n)
            """;
        await using (var scheduler = new DynamicScheduler(registry))
        {
            var result = await new VoxLogicaIntegration(scheduler).ExecuteProgramAsync(program, new CompileOptions { WorkingDirectory = _work.Path },
                new ExecutionConfig { StorageBackend = "none", CacheSize = "0", MaxRetries = 0 });
            Assert.All(result.Goals, g => Assert.True(g.Succeeded, g.Error));
        }

        var image = Assert.IsType<Image>(kept);
        Assert.True(image.IsPooled);
        Assert.False(image.IsReturned);
        var copy = image.Booleans.ToArray();
        await RunAsync(Chain, "none", reuse: true);
        Assert.Equal(copy, image.Booleans.ToArray());
    }

    [Fact]
    public async Task A_dataset_under_a_memory_budget_gives_every_case_the_answer_it_has_alone()
    {
        var cases = Directory.CreateDirectory(_work.Combine("cases"));
        for (var k = 0; k < 4; k++)
        {
            var random = new Random(100 + k);
            var voxels = new float[24 * 20 * 16];
            for (var i = 0; i < voxels.Length; i++) voxels[i] = random.Next(0, 200);
            using var file = File.Create(Path.Combine(cases.FullName, $"c{k}.nii.gz"));
            ImageExport.WriteNifti(file, Image.FromNumbers(ImageGeometry.Of3D(24, 20, 16), voxels), compressed: true);
        }

        const string dataset = """
            import "vox1"
            seg(p) = volume(interior(near(near(100 .<= intensity(load(p)))))) + max(dt(150 .<= intensity(load(p))))
            print "all" map(seg, dir("cases", "*.nii.gz", false, true))
            """;
        var reference = await RunAsync(dataset, "none", reuse: false);
        var returned = VoxelBufferPool.Shared.Returned;
        var budgeted = await RunAsync(dataset, "hybrid", reuse: true, budget: 3 * 24 * 20 * 16 * 4);
        Assert.True(VoxelBufferPool.Shared.Returned - returned >= 8);
        AssertSameAnswers(reference, budgeted);
    }

    [Fact]
    public async Task Images_the_value_cache_keeps_go_back_to_the_pool_when_evicted_and_never_while_a_run_reads_them()
    {
        // The cache counts itself as a holder: a small cache evicts as the runs go and the evicted
        // images' buffers are reused, while values it lends (a memory-only rerun's Cached nodes, a
        // stored run's arguments read from it) keep theirs until the plan holds them.
        const string more = """
            import "vox1"
            f = intensity(load("case.nii.gz"))
            m = 100 .<= f
            n = near(near(m))
            i = interior(n)
            print "vol" volume(i)
            print "again" volume(near(i) & n)
            print "img" near(i) | m
            print "sum" max((f + (f * 2)) - f)
            """;
        var reference = await RunAsync(Chain, "none", reuse: false);
        var referenceMore = await RunAsync(more, "none", reuse: false);
        VoxelBufferPool.Shared.MaxIdleBytes = _maxIdle;
        await using var scheduler = new DynamicScheduler(BuiltinOperations.CreateRegistry());
        foreach (var backend in new[] { "none", "hybrid" })
        {
            var store = "cache-" + backend;
            var returned = VoxelBufferPool.Shared.Returned;
            AssertSameAnswers(reference, await RunAsync(Chain, backend, reuse: true, store: store, cache: "160KB", scheduler: scheduler));
            AssertSameAnswers(referenceMore, await RunAsync(more, backend, reuse: true, store: store, cache: "160KB", scheduler: scheduler));
            AssertSameAnswers(reference, await RunAsync(Chain, backend, reuse: true, store: store, cache: "160KB", scheduler: scheduler));
            Assert.True(VoxelBufferPool.Shared.Returned - returned >= 10, $"{backend}: {VoxelBufferPool.Shared.Returned - returned} buffers returned");
        }
    }

    private async Task<Dictionary<string, object?>> RunAsync(string program, string backend, bool reuse, string? store = null, long budget = 0,
        string[]? expectCached = null, int concurrency = 4, string cache = "0", DynamicScheduler? scheduler = null)
    {
        VoxelBufferPool.Shared.MaxIdleBytes = reuse ? _maxIdle : 0;
        if (!reuse) VoxelBufferPool.Shared.Clear();
        await using var own = scheduler is null ? new DynamicScheduler(BuiltinOperations.CreateRegistry()) : null;
        var config = new ExecutionConfig
        {
            StorageBackend = backend, StoragePath = backend == "none" ? _work.Combine("unused") : _work.Combine(store ?? "store-" + Guid.NewGuid().ToString("N")),
            CacheSize = cache, MaxRetries = 0, MemoryBudget = budget, MaxConcurrentNodes = concurrency,
        };
        var result = await new VoxLogicaIntegration(scheduler ?? own!).ExecuteProgramAsync(program, new CompileOptions { WorkingDirectory = _work.Path }, config);
        Assert.All(result.Goals, g => Assert.True(g.Succeeded, g.Name + ": " + g.Error));
        foreach (var name in expectCached ?? []) Assert.Equal(NodeStatus.Cached, result.Goals.Single(g => g.Name == name).Status);
        return result.Goals.ToDictionary(g => g.Name, g => g.Value);
    }

    private static void AssertSameAnswers(Dictionary<string, object?> expected, Dictionary<string, object?> actual)
    {
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, value) in expected)
        {
            switch (value)
            {
                case Image image:
                    var other = Assert.IsType<Image>(actual[name]);
                    Assert.Equal(image.Kind, other.Kind);
                    Assert.True(image.RawBytes.SequenceEqual(other.RawBytes), name + " differs");
                    break;
                case object?[] items:
                    Assert.Equal(items, Assert.IsType<object?[]>(actual[name]));
                    break;
                default:
                    Assert.Equal(value, actual[name]);
                    break;
            }
        }
    }
}
