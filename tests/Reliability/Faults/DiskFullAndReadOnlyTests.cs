using VoxScheduler.Dag;
using VoxScheduler.Scheduling;
using VoxScheduler.Storage;
using VoxScheduler.Tests.Infrastructure;
using Xunit.Abstractions;

namespace VoxScheduler.Tests.Faults;

/// <summary>
/// A store whose disk fills up, or whose folder turns read-only: a clear error, the execution
/// ends Failed (it does not hang or crash), and the results stored before stay intact.
/// </summary>
public sealed class DiskFullAndReadOnlyTests(ITestOutputHelper output)
{
    public static TheoryData<string> Backends => new() { "sqlite", "filesystem", "hybrid" };

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task A_full_disk_fails_the_execution_clearly_and_keeps_what_was_stored(string backend)
    {
        using var disk = SmallFilesystem.Mount(3 * 1024 * 1024);
        var folder = Path.Combine(disk.Path, "store");
        var registry = TestEngine.Registry();
        var config = new ExecutionConfig
        {
            StorageBackend = backend,
            StoragePath = folder,
            Compression = false,
            MaxRetries = 0,
            StreamingThreshold = 128 * 1024,
            MaxConcurrentNodes = 2,
        };

        // First a small run that fits.
        Dictionary<NodeId, byte[]> before;
        await using (var scheduler = new DynamicScheduler(registry))
        {
            var small = await scheduler.SubmitAsync(NoiseDag(registry, 1, 4, 16), config);
            Assert.Equal(ExecutionStatus.Completed, await small.WaitBoundedAsync());
        }

        before = await StoreInspector.ReadAllAsync(backend, folder);
        Assert.NotEmpty(before);

        // Then one that cannot fit: 40 results of 200 KB on a 3 MB disk.
        string executionId;
        List<string?> reasons;
        await using (var scheduler = new DynamicScheduler(registry))
        {
            var big = await scheduler.SubmitAsync(NoiseDag(registry, 100, 40, 200), config);
            executionId = big.ExecutionId;
            var finished = FinishErrorAsync(big);
            var status = await big.WaitBoundedAsync(TimeSpan.FromSeconds(90));
            Assert.Equal(ExecutionStatus.Failed, status);
            reasons = big.GetGoalResults().Where(g => g.Status == NodeStatus.Failed).Select(g => g.Error).ToList<string?>();
            // What front ends show: the error of the ExecutionFinished event.
            reasons.Add(await finished.WaitAsync(TimeSpan.FromSeconds(30)));
        }

        // The history may not be able to record the failure (the disk is full), but what it
        // holds must still be readable.
        await using (var store = await StoreFactory.OpenAsync(backend, folder))
        {
            var record = await store.GetExecutionAsync(executionId);
            output.WriteLine($"{backend}: recorded as {record?.Status}: {record?.Error}; reported: {string.Join(" | ", reasons)}");
        }

        reasons.RemoveAll(r => r is null);
        Assert.True(reasons.Count > 0, "the execution failed without saying why");
        foreach (var reason in reasons)
        {
            Assert.True(Mentions(reason, "space", "full", "disk"), $"a failure does not say the disk is full: {reason}");
        }

        // Nothing stored before is damaged (and whatever the failed run did store verifies).
        var after = await StoreInspector.ReadAllAsync(backend, folder);
        foreach (var (id, bytes) in before)
        {
            Assert.True(after.TryGetValue(id, out var again) && again.AsSpan().SequenceEqual(bytes), $"{id} was damaged by the full disk");
        }

        ReliabilityCounters.Add("faults.diskfull", 1);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task A_read_only_store_fails_the_execution_clearly_and_keeps_what_was_stored(string backend)
    {
        using var temp = new TempFolder("vox-ro");
        var folder = temp.Sub("store");
        var registry = TestEngine.Registry();
        var config = new ExecutionConfig { StorageBackend = backend, StoragePath = folder, MaxRetries = 0, StreamingThreshold = 128 * 1024 };
        await using (var scheduler = new DynamicScheduler(registry))
        {
            var first = await scheduler.SubmitAsync(NoiseDag(registry, 1, 4, 150), config);
            Assert.Equal(ExecutionStatus.Completed, await first.WaitBoundedAsync());
        }

        var before = await StoreInspector.ReadAllAsync(backend, folder);
        using (new ReadOnlyFolder(folder))
        {
            await using var scheduler = new DynamicScheduler(registry);
            string error;
            try
            {
                var execution = await scheduler.SubmitAsync(NoiseDag(registry, 50, 3, 10), config);
                var status = await execution.WaitBoundedAsync();
                Assert.Equal(ExecutionStatus.Failed, status);
                error = string.Join(" | ", execution.GetGoalResults().Where(g => g.Status == NodeStatus.Failed).Select(g => g.Error));
                Assert.NotEmpty(error);
            }
            catch (StorageException e)
            {
                error = e.Message;
            }

            Assert.True(Mentions(error, "read-only", "readonly", "read only", "permission", "denied", "access"),
                $"the error does not say the store is read-only: {error}");
            output.WriteLine($"{backend}: {error}");

            // The stored results can still be read while the folder is read-only, if the store opens at all.
            try
            {
                var readable = await StoreInspector.ReadAllAsync(backend, folder, new StoreOptions { ReadOnly = true });
                Assert.Equal(before.Count, readable.Count);
            }
            catch (StorageException e)
            {
                output.WriteLine($"{backend}: read-only open refused: {e.Message}");
            }
        }

        var after = await StoreInspector.ReadAllAsync(backend, folder);
        foreach (var (id, bytes) in before)
        {
            Assert.True(after.TryGetValue(id, out var again) && again.AsSpan().SequenceEqual(bytes), $"{id} was damaged");
        }

        ReliabilityCounters.Add("faults.readonly", 1);
    }

    private static async Task<string?> FinishErrorAsync(IExecution execution)
    {
        await foreach (var e in execution.WatchAsync(replay: true))
        {
            if (e.Kind == ExecutionEventKind.ExecutionFinished) return e.Error;
        }

        return null;
    }

    private static bool Mentions(string? text, params string[] words) =>
        text is not null && words.Any(w => text.Contains(w, StringComparison.OrdinalIgnoreCase));

    private static DagDefinition NoiseDag(Operations.OperationRegistry registry, int seed, int count, int kb)
    {
        var b = new DagBuilder();
        for (var i = 0; i < count; i++)
        {
            b.AddGoal(new DagGoal($"noise{seed + i}", GoalKind.Node, b.Op(registry, "rel.noise", b.Constant((double)(seed + i)), b.Constant((double)kb))));
        }

        return b.Build();
    }
}
