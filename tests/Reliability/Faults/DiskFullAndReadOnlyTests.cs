using VoxScheduler.Dag;
using VoxScheduler.Execution;
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

            // The stored results can still be read, verified, while the folder is read-only (sqlite
            // then reads its cleanly closed database as immutable: no -shm can be created).
            var readable = await StoreInspector.ReadAllAsync(backend, folder, new StoreOptions { ReadOnly = true });
            Assert.Equal(before.Count, readable.Count);
            foreach (var (id, bytes) in before)
            {
                Assert.True(readable.TryGetValue(id, out var read) && read.AsSpan().SequenceEqual(bytes), $"{id} reads differently from the read-only store");
            }

            await using (var history = await StoreFactory.OpenAsync(backend, folder, new StoreOptions { ReadOnly = true }))
            {
                Assert.NotEmpty(await history.ListExecutionsAsync().ToListAsync());
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

    [Fact]
    public async Task A_read_only_copy_whose_write_ahead_log_is_not_folded_in_is_refused_saying_what_to_do()
    {
        using var temp = new TempFolder("vox-ro-wal");
        var live = temp.Sub("live");
        var copy = temp.Sub("copy");
        await using (var store = await StoreFactory.OpenAsync("sqlite", live))
        {
            for (var i = 0; i < 20; i++)
            {
                var id = NodeId.Hash(System.Text.Encoding.UTF8.GetBytes($"wal-{i}"));
                await store.StoreAsync(id, new byte[100], new StorageMetadata { NodeId = id, DataType = Values.DataType.Binary });
            }

            await store.FlushAsync();
            // A copy taken while the store is open: the database file and its log, without the -shm.
            var database = Path.Combine(live, SqliteResultStore.DatabaseFileName);
            Assert.True(new FileInfo(database + "-wal").Length > 0, "the open store should have a write-ahead log");
            File.Copy(database, Path.Combine(copy, SqliteResultStore.DatabaseFileName));
            File.Copy(database + "-wal", Path.Combine(copy, SqliteResultStore.DatabaseFileName + "-wal"));
        }

        using (new ReadOnlyFolder(copy))
        {
            var e = await Assert.ThrowsAsync<StorageException>(async () => await StoreFactory.OpenAsync("sqlite", copy, new StoreOptions { ReadOnly = true }));
            Assert.True(Mentions(e.Message, "write-ahead log") && Mentions(e.Message, "writable"), e.Message);
            output.WriteLine(e.Message);
        }

        // Where it is writable, the copy opens and folds its log in: every result is there.
        await using (var store = await StoreFactory.OpenAsync("sqlite", copy))
        {
            Assert.Equal(20, await store.ListAsync(ResultQuery.All).CountAsync());
        }

        ReliabilityCounters.Add("faults.readonly", 1);
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
