using VoxScheduler.Dag;
using VoxScheduler.Scheduling;
using VoxScheduler.Storage;

namespace VoxScheduler.Tests.Scheduling;

/// <summary>
/// A store whose folder is deleted while the scheduler holds it open (Remove-Item of a store
/// folder, a test framework clearing its scratch folder): the next caller naming the folder gets
/// a new store there, so what runs from then on is stored in files that exist, and a new
/// connection to it can be opened. Before, the scheduler went on with the deleted files: results
/// were lost at exit, and a read needing one more connection failed ('unable to open database
/// file'), ending an execution at once.
/// </summary>
public sealed class DeletedStoreTests : IDisposable
{
    private readonly TempFolder _work = new();
    private readonly TestOps _ops = new();

    [Theory]
    [InlineData("hybrid")]
    [InlineData("sqlite")]
    [InlineData("filesystem")]
    public async Task A_store_deleted_while_open_is_opened_anew_and_what_runs_then_is_stored_there(string backend)
    {
        var folder = _work.Combine(backend);
        await using var scheduler = _ops.Scheduler(new SchedulerOptions { MaxWorkers = 4 });
        var deleted = await scheduler.GetStoreAsync(backend, folder);
        var config = new ExecutionConfig { StorageBackend = backend, StoragePath = folder };
        Assert.Equal(ExecutionStatus.Completed, (await TestOps.RunAsync(scheduler, Sum(1, 2), config)).Status);
        await DeleteAsync(folder);

        // As the module submits (the store it was given) and as a server does (the config's path).
        var store = await scheduler.GetStoreAsync(backend, folder);
        Assert.NotSame(deleted, store);
        Assert.True(StoreFactory.Exists(backend, folder));
        var viaStore = await TestOps.RunAsync(scheduler, Sum(3, 4), config, new SubmitOptions { Store = store });
        var viaConfig = await TestOps.RunAsync(scheduler, Sum(5, 6), config);
        Assert.Equal(ExecutionStatus.Completed, viaStore.Status);
        Assert.Equal(ExecutionStatus.Completed, viaConfig.Status);
        Assert.Same(store, viaConfig.Store);

        // The results are in the folder: another scheduler (another process) reads them.
        await using (var other = _ops.Scheduler())
        {
            var reader = await other.GetStoreAsync(backend, folder);
            Assert.True(await reader.ExistsAsync(Sum(3, 4).Nodes[2].Id));
            Assert.True(await reader.ExistsAsync(Sum(5, 6).Nodes[2].Id));
            Assert.NotNull(await reader.GetExecutionAsync(viaConfig.ExecutionId));
        }

        // Whoever still held the deleted store keeps an open one (it answers) until the scheduler closes it.
        _ = await deleted.ExistsAsync(Sum(1, 2).Nodes[2].Id);
        await scheduler.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await deleted.ExistsAsync(Sum(1, 2).Nodes[2].Id));
    }

    [Fact]
    public async Task Reading_a_deleted_store_creates_none()
    {
        var folder = _work.Combine("read");
        await using var scheduler = _ops.Scheduler(new SchedulerOptions { MaxWorkers = 4 });
        Assert.Equal(ExecutionStatus.Completed,
            (await TestOps.RunAsync(scheduler, Sum(1, 2), new ExecutionConfig { StorageBackend = "hybrid", StoragePath = folder })).Status);
        await DeleteAsync(folder);
        Assert.Null(await scheduler.GetExistingStoreAsync("hybrid", folder));
        Assert.Null(await scheduler.LeaseExistingStoreAsync("hybrid", folder));
        Assert.False(Directory.Exists(folder));
    }

    /// <summary>
    /// Deletes the folder as a user's <c>rm -r</c> would, again while the open store still adds a
    /// file to it (a reader connection's shared-memory file, the writer's journal): a recursive
    /// delete racing that fails with 'Directory not empty'. The test is about what comes after.
    /// </summary>
    private static async Task DeleteAsync(string folder)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                Directory.Delete(folder, recursive: true);
                return;
            }
            catch (IOException) when (attempt < 50 && Directory.Exists(folder))
            {
                await Task.Delay(20);
            }
        }
    }

    private static DagDefinition Sum(double a, double b)
    {
        var builder = new DagBuilder();
        var sum = builder.Operation("t.add", 1, [builder.Constant(a), builder.Constant(b)]);
        builder.AddGoal(new DagGoal("sum", GoalKind.Print, sum));
        return builder.Build();
    }

    public void Dispose() => _work.Dispose();
}
