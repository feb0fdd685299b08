using VoxScheduler.Dag;
using VoxScheduler.Scheduling;
using VoxScheduler.Storage;

namespace VoxScheduler.Tests.Scheduling;

/// <summary><see cref="SchedulerOptions.MaxOpenStores"/>: the scheduler's stores are bounded, and one held or pinned is never closed (issue 14 item 3, issue 16).</summary>
public sealed class MaxOpenStoresTests : IDisposable
{
    private readonly TempFolder _work = new();
    private readonly TestOps _ops = new();

    [Fact]
    public async Task Executions_on_many_paths_leave_at_most_the_bound_open_and_a_closed_store_reopens_with_its_results()
    {
        await using var scheduler = _ops.Scheduler(new SchedulerOptions { MaxWorkers = 4, MaxOpenStores = 2 });
        const int paths = 6;
        var dag = Sum(20, 22);
        for (var i = 0; i < paths; i++)
        {
            var execution = await TestOps.RunAsync(scheduler, dag, Sqlite(i));
            Assert.Equal(ExecutionStatus.Completed, execution.Status);
            Assert.True(scheduler.OpenStores <= 2, $"{scheduler.OpenStores} stores open after path {i} (bound 2)");
        }

        Assert.Equal(paths, scheduler.StoresOpened);
        Assert.Equal(paths, _ops.TotalRuns);
        // Path 0 was closed long ago: it opens again, and its result is served from it, not recomputed.
        var again = await TestOps.RunAsync(scheduler, dag, Sqlite(0));
        Assert.Equal(42.0, again.GetGoalResults().Single().Value);
        Assert.Equal(paths + 1, scheduler.StoresOpened);
        Assert.Equal(paths, _ops.TotalRuns);
        // The most recent path is still open: no new opening.
        await TestOps.RunAsync(scheduler, dag, Sqlite(0));
        Assert.Equal(paths + 1, scheduler.StoresOpened);
    }

    [Fact]
    public async Task A_leased_or_pinned_store_is_never_closed_past_the_bound()
    {
        await using var scheduler = _ops.Scheduler(new SchedulerOptions { MaxWorkers = 4, MaxOpenStores = 1 });
        var lease = await scheduler.LeaseStoreAsync("sqlite", _work.Combine("leased"));
        var pinned = await scheduler.GetStoreAsync("sqlite", _work.Combine("pinned"));
        for (var i = 0; i < 3; i++) Assert.Equal(ExecutionStatus.Completed, (await TestOps.RunAsync(scheduler, Sum(i, 1), Sqlite(i))).Status);

        // The executions' stores closed after them; the leased and the pinned one still work.
        Assert.Equal(2, scheduler.OpenStores);
        var id = Sum(1, 2).Nodes[0].Id;
        Assert.False(await lease.Store.ExistsAsync(id));
        Assert.False(await pinned.ExistsAsync(id));

        // Given back, the leased store is idle past the bound: let go (a new lease opens it again). The pinned one stays.
        await lease.DisposeAsync();
        Assert.Equal(1, scheduler.OpenStores);
        Assert.False(await pinned.ExistsAsync(id));
        Assert.Same(pinned, await scheduler.GetStoreAsync("sqlite", _work.Combine("pinned")));
        var opened = scheduler.StoresOpened;
        await using (var again = await scheduler.LeaseStoreAsync("sqlite", _work.Combine("leased")))
        {
            Assert.NotSame(lease.Store, again.Store);
            Assert.Equal(opened + 1, scheduler.StoresOpened);
        }

        // Disposing the scheduler waits for every closing: the first leased store is closed by then.
        await scheduler.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await lease.Store.ExistsAsync(id));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await pinned.ExistsAsync(id));
    }

    [Fact]
    public async Task A_path_that_cannot_hold_a_store_fails_with_its_name_and_leaves_nothing_open()
    {
        await using var scheduler = _ops.Scheduler(new SchedulerOptions { MaxWorkers = 4, MaxOpenStores = 2 });
        var file = _work.Combine("a-file");
        await File.WriteAllTextAsync(file, "not a store");
        var e = await Assert.ThrowsAsync<StorageException>(async () => await scheduler.SubmitAsync(Sum(1, 1),
            new ExecutionConfig { StorageBackend = "sqlite", StoragePath = file }));
        Assert.Contains(file, e.Message, StringComparison.Ordinal);
        Assert.Equal(0, scheduler.OpenStores);

        // Once the path is fixed, the same path opens: the failure was not kept.
        File.Delete(file);
        Assert.Equal(ExecutionStatus.Completed, (await TestOps.RunAsync(scheduler, Sum(1, 1), new ExecutionConfig { StorageBackend = "sqlite", StoragePath = file })).Status);
    }

    [Fact]
    public async Task Disposing_the_scheduler_closes_its_stores_pinned_ones_too()
    {
        var scheduler = _ops.Scheduler(new SchedulerOptions { MaxWorkers = 4 });
        var pinned = await scheduler.GetStoreAsync("sqlite", _work.Combine("pinned"));
        await TestOps.RunAsync(scheduler, Sum(1, 1), Sqlite(0));
        var executed = await scheduler.GetStoreAsync("sqlite", _work.Combine("0"));
        Assert.Equal(2, scheduler.OpenStores);

        await scheduler.DisposeAsync();
        Assert.Equal(0, scheduler.OpenStores);
        var id = Sum(1, 1).Nodes[0].Id;
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await pinned.ExistsAsync(id));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await executed.ExistsAsync(id));
    }

    private ExecutionConfig Sqlite(int path) => new() { StorageBackend = "sqlite", StoragePath = _work.Combine(path.ToString(System.Globalization.CultureInfo.InvariantCulture)) };

    private static DagDefinition Sum(double a, double b)
    {
        var builder = new DagBuilder();
        var sum = builder.Operation("t.add", 1, [builder.Constant(a), builder.Constant(b)]);
        builder.AddGoal(new DagGoal("sum", GoalKind.Print, sum));
        return builder.Build();
    }

    public void Dispose() => _work.Dispose();
}
