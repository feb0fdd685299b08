using VoxScheduler.Dag;
using VoxScheduler.Execution;
using VoxScheduler.Scheduling;
using VoxScheduler.Tests.Scheduling;
using VoxScheduler.Tests.Support;

namespace VoxScheduler.Tests.Execution;

/// <summary>Tests that measure the process's memory: they run alone, after the parallel ones, so other tests do not blur the figures.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasurementCollection
{
    public const string Name = "Memory measurements";
}

[Collection(MemoryMeasurementCollection.Name)]
public sealed class StreamedInputMemoryTests : IDisposable
{
    private const int BlobMegabytes = 300;
    private readonly TempFolder _folder = new("vox-streamed-memory");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Hashing_a_300_MB_stored_blob_read_as_a_stream_keeps_the_process_far_below_its_size()
    {
        var ops = new TestOps();
        var config = new ExecutionConfig { StorageBackend = "hybrid", StoragePath = _folder.Path, CacheSize = "0" };
        var b = new DagBuilder();
        var blob = b.Operation("test.blob", 1, [b.Constant(11.0), b.Constant((double)BlobMegabytes)]);
        b.AddGoal(new DagGoal("blob", GoalKind.Node, blob));
        var writeBlob = b.Build();
        await using (var first = ops.Scheduler())
        {
            Assert.Equal(ExecutionStatus.Completed, (await TestOps.RunAsync(first, writeBlob, config)).Status);
        }

        b.AddGoal(new DagGoal("hash", GoalKind.Print, b.Operation("test.sha256", 1, [blob])));
        var hashBlob = b.Build();

        // A fresh scheduler, as in a later session: the blob is only in the store.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var baseline = Environment.WorkingSet;
        var peak = baseline;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        IExecution execution;
        using (new Timer(_ => InterlockedMax(ref peak, Environment.WorkingSet), null, 0, 5))
        {
            await using var second = ops.Scheduler();
            execution = await TestOps.RunAsync(second, hashBlob, config);
        }

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        InterlockedMax(ref peak, Environment.WorkingSet);

        Assert.Equal(ExecutionStatus.Completed, execution.Status);
        var goals = execution.GetGoalResults().ToDictionary(g => g.Name);
        Assert.Equal(NodeStatus.Cached, goals["blob"].Status);
        Assert.Equal(await StreamedInputTests.HashOfStoredAsync(ops, config, writeBlob.Nodes[blob].Id), goals["hash"].Value);

        // Loaded whole, the blob alone would allocate 300 MB and raise the working set by as much.
        const long MiB = 1024 * 1024;
        var figures = $"allocated {allocated / MiB} MiB, working set {baseline / MiB} -> peak {peak / MiB} MiB";
        Assert.True(allocated < 32 * MiB, figures);
        Assert.True(peak - baseline < 100 * MiB, figures);
    }

    private static void InterlockedMax(ref long target, long value)
    {
        var seen = Interlocked.Read(ref target);
        while (value > seen)
        {
            var was = Interlocked.CompareExchange(ref target, value, seen);
            if (was == seen) return;
            seen = was;
        }
    }
}
