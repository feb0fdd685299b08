using VoxScheduler.Dag;
using VoxScheduler.Scheduling;
using VoxScheduler.Storage;

namespace VoxScheduler.Tests.Scheduling;

/// <summary><see cref="SchedulerOptions.StoreOpener"/>: a host that owns its connection opens the scheduler's stores itself.</summary>
public sealed class StoreOpenerTests
{
    [Fact]
    public async Task The_opener_opens_the_schedulers_stores_instead_of_the_process_wide_factory()
    {
        using var work = new TempFolder();
        var named = work.Combine("named");
        var elsewhere = work.Combine("elsewhere");
        var calls = new List<(string Backend, string Location)>();
        var ops = new TestOps();
        var options = new SchedulerOptions
        {
            MaxWorkers = 4,
            StoreOpener = async (backend, location, storeOptions, cancellationToken) =>
            {
                lock (calls) calls.Add((backend, location));
                return await StoreFactory.OpenAsync("sqlite", elsewhere, storeOptions, cancellationToken);
            },
        };
        var b = new DagBuilder();
        var sum = b.Operation("t.add", 1, [b.Constant(20.0), b.Constant(22.0)]);
        b.AddGoal(new DagGoal("sum", GoalKind.Print, sum));
        var dag = b.Build();

        await using (var scheduler = ops.Scheduler(options))
        {
            var execution = await TestOps.RunAsync(scheduler, dag, new ExecutionConfig { StorageBackend = "sqlite", StoragePath = named });
            Assert.Equal(ExecutionStatus.Completed, execution.Status);
            Assert.Equal(42.0, execution.GetGoalResults().Single().Value);
        }

        var call = Assert.Single(calls);
        Assert.Equal("sqlite", call.Backend);
        Assert.Equal(StoreFactory.Location("sqlite", named), call.Location);
        // The result is in the opener's store, and nothing was created where the config pointed.
        Assert.False(StoreFactory.Exists("sqlite", named));
        await using var store = await StoreFactory.OpenAsync("sqlite", elsewhere);
        Assert.True(await store.ExistsAsync(dag.Nodes[sum].Id));
    }
}
