using VoxScheduler.Dag;
using VoxScheduler.Execution;
using VoxScheduler.Scheduling;
using VoxScheduler.Storage;
using VoxScheduler.Tests.Infrastructure;
using VoxScheduler.Values;

namespace VoxScheduler.Tests.Corruption;

/// <summary>
/// The scheduler treats a stored result that fails verification as missing: it recomputes the
/// node (and whatever it needs) instead of serving bad bytes or failing the execution.
/// </summary>
public sealed class CorruptResultRecomputeTests
{
    public static TheoryData<string> Backends => new() { "sqlite", "filesystem", "hybrid" };

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task A_corrupt_goal_result_is_recomputed_not_served(string backend)
    {
        using var temp = new TempFolder("vox-recompute");
        var folder = temp.Sub("store");
        var registry = TestEngine.Registry();
        var b = new DagBuilder();
        var goalNode = b.Op(registry, "rel.noise", b.Constant(41.0), b.Constant(8.0));
        b.AddGoal(new DagGoal("noise", GoalKind.Node, goalNode));
        var dag = b.Build();
        var id = dag.Nodes[goalNode].Id;
        var config = Config(backend, folder);

        byte[] good;
        await using (var scheduler = new DynamicScheduler(registry))
        {
            var first = await scheduler.SubmitAsync(dag, config);
            Assert.Equal(ExecutionStatus.Completed, await first.WaitBoundedAsync());
            good = Assert.IsType<byte[]>(first.Goal("noise").Value);
        }

        var changed = DiskDamage.FlipInside(folder, ValueCodec.Encode(good).AsSpan(4000, 48));
        Assert.NotEmpty(changed);

        await using (var scheduler = new DynamicScheduler(registry))
        {
            var again = await scheduler.SubmitAsync(dag, config);
            var status = await again.WaitBoundedAsync();
            var goal = again.Goal("noise");
            Assert.True(status == ExecutionStatus.Completed, $"the run with a corrupt stored goal ended {status}: {goal.Error}");
            Assert.Equal(NodeStatus.Completed, goal.Status);
            Assert.Equal(good, Assert.IsType<byte[]>(goal.Value));
        }

        // The store holds a verified value again.
        var stored = await StoreInspector.ReadAllAsync(backend, folder, RawStoreOptions);
        Assert.Equal(ValueCodec.Encode(good), stored[id]);
        ReliabilityCounters.Add("corruptions", 1);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task A_corrupt_argument_is_recomputed_when_a_consumer_needs_it(string backend)
    {
        using var temp = new TempFolder("vox-recompute");
        var folder = temp.Sub("store");
        var registry = TestEngine.Registry();
        var b = new DagBuilder();
        var noise = b.Op(registry, "rel.noise", b.Constant(42.0), b.Constant(8.0));
        var length = b.Op(registry, "rel.length", noise);
        b.AddGoal(new DagGoal("length", GoalKind.Node, length));
        var dag = b.Build();
        var config = Config(backend, folder);

        await using (var scheduler = new DynamicScheduler(registry))
        {
            var first = await scheduler.SubmitAsync(dag, config);
            Assert.Equal(ExecutionStatus.Completed, await first.WaitBoundedAsync());
            Assert.Equal(8192.0, first.Goal("length").Value);
        }

        // The consumer's result is gone, its argument's stored bytes are damaged.
        byte[] noiseBytes;
        await using (var store = await StoreFactory.OpenAsync(backend, folder, RawStoreOptions))
        {
            Assert.True(await store.DeleteAsync(dag.Nodes[length].Id));
            noiseBytes = (await store.RetrieveAsync(dag.Nodes[noise].Id))!;
        }

        Assert.NotEmpty(DiskDamage.FlipInside(folder, noiseBytes.AsSpan(5000, 48)));

        await using (var scheduler = new DynamicScheduler(registry))
        {
            var again = await scheduler.SubmitAsync(dag, config);
            var status = await again.WaitBoundedAsync();
            var goal = again.Goal("length");
            Assert.True(status == ExecutionStatus.Completed, $"the run with a corrupt stored argument ended {status}: {goal.Error}");
            Assert.Equal(8192.0, goal.Value);
        }

        var stored = await StoreInspector.ReadAllAsync(backend, folder, RawStoreOptions);
        Assert.Equal(noiseBytes, stored[dag.Nodes[noise].Id]);
        ReliabilityCounters.Add("corruptions", 1);
    }

    private static readonly StoreOptions RawStoreOptions = new() { Compression = false };

    private static ExecutionConfig Config(string backend, string folder) => new()
    {
        StorageBackend = backend,
        StoragePath = folder,
        Compression = false,
        MaxRetries = 0,
        MaxConcurrentNodes = 2,
    };
}
