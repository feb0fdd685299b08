using Microsoft.Extensions.Time.Testing;
using VoxScheduler.Dag;
using VoxScheduler.Execution;
using VoxScheduler.Operations;
using VoxScheduler.Scheduling;
using VoxScheduler.Tests.Support;

namespace VoxScheduler.Tests.Scheduling;

/// <summary>
/// A store's retention policy (#14 item 18): applied when the scheduler opens the store and on a
/// bounded timer while it is open (stopped on dispose), never evicting what a running execution
/// still needs.
/// </summary>
public sealed class StoreRetentionTests
{
    private static ExecutionConfig Stored(string path) => new() { StorageBackend = "hybrid", StoragePath = path, MaxConcurrentNodes = 4, CacheSize = "0" };

    [Fact]
    public async Task Eviction_forced_while_an_execution_runs_keeps_its_pending_inputs_and_goals()
    {
        using var temp = new TempFolder("vox-retention");
        var ops = new TestOps();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ops.Registry.Register(Operation.CreateAsync("r.gate", 1, 1, async c =>
        {
            waiting.TrySetResult();
            await gate.Task.WaitAsync(c.CancellationToken);
            return c.Number(0);
        }));
        await using var scheduler = ops.Scheduler();
        var path = temp.Sub("store");

        // First run: x (an input the second run will need) and w (which nothing later needs) are stored.
        var first = new DagBuilder();
        var x = first.Operation("t.add", 1, [first.Constant(1.0), first.Constant(2.0)]);
        var w = first.Operation("t.add", 1, [first.Constant(10.0), first.Constant(20.0)]);
        first.AddGoal(new DagGoal("x", GoalKind.Print, x));
        first.AddGoal(new DagGoal("w", GoalKind.Print, w));
        var firstDag = first.Build();
        Assert.Equal(ExecutionStatus.Completed, (await TestOps.RunAsync(scheduler, firstDag, Stored(path))).Status);
        var xId = firstDag.Nodes[x].Id;
        var wId = firstDag.Nodes[w].Id;

        // Second run: z = x + gate(5); x comes from the store, its consumer waits at the gate.
        var second = new DagBuilder();
        var x2 = second.Operation("t.add", 1, [second.Constant(1.0), second.Constant(2.0)]);
        var y = second.Operation("r.gate", 1, [second.Constant(5.0)]);
        var z = second.Operation("t.add", 1, [x2, y]);
        second.AddGoal(new DagGoal("z", GoalKind.Print, z));
        second.AddGoal(new DagGoal("x", GoalKind.Print, x2));
        var running = await scheduler.SubmitAsync(second.Build(), Stored(path));
        await waiting.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // Everything is over the policy (size 0): only what the running execution needs stays.
        var report = await scheduler.SetRetentionAsync("hybrid", path, new StoreRetention { MaxTotalBytes = 0 });
        Assert.NotNull(report);
        Assert.True(report.Kept >= 1);
        var store = await scheduler.GetStoreAsync("hybrid", path);
        Assert.True(await store.ExistsAsync(xId), "an input of a node not yet run was evicted");
        Assert.False(await store.ExistsAsync(wId), "the policy evicted nothing");

        gate.SetResult();
        Assert.Equal(ExecutionStatus.Completed, await running.Completion.WaitAsync(TimeSpan.FromSeconds(30)));
        var goals = running.GetGoalResults().ToDictionary(g => g.Name, g => g.Value);
        Assert.Equal(8.0, goals["z"]);
        Assert.Equal(3.0, goals["x"]);
        Assert.Equal(1, ops.RunsOf(xId)); // read from the store, never recomputed after an eviction
    }

    [Fact]
    public async Task Eviction_forced_after_an_expansion_fragment_is_made_keeps_the_stored_nodes_it_will_look_up()
    {
        using var temp = new TempFolder("vox-retention");
        var ops = new TestOps();
        var made = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        NodeId stored = default;
        // Expands into a fragment whose root is stored from an earlier run, then does more work before returning it.
        ops.Registry.Register(Operation.CreateAsync("r.expand", 1, 1, async c =>
        {
            var fragment = new DagBuilder();
            var root = fragment.Operation("t.add", 1, [fragment.Constant(c.Number(0)), fragment.Constant(1.0)]);
            var expansion = c.Expand(fragment.Build(), root);
            made.TrySetResult();
            await gate.Task.WaitAsync(c.CancellationToken);
            return expansion;
        }));
        await using var scheduler = ops.Scheduler();
        var path = temp.Sub("store");

        var first = new DagBuilder();
        var add = first.Operation("t.add", 1, [first.Constant(41.0), first.Constant(1.0)]);
        first.AddGoal(new DagGoal("v", GoalKind.Print, add));
        var firstDag = first.Build();
        stored = firstDag.Nodes[add].Id;
        Assert.Equal(ExecutionStatus.Completed, (await TestOps.RunAsync(scheduler, firstDag, Stored(path))).Status);
        Assert.Equal(1, ops.RunsOf(stored));

        var second = new DagBuilder();
        second.AddGoal(new DagGoal("e", GoalKind.Print, second.Operation("r.expand", 1, [second.Constant(41.0)])));
        var running = await scheduler.SubmitAsync(second.Build(), Stored(path));
        await made.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // Everything over the policy: the fragment's stored root stays, as the execution will read it.
        Assert.NotNull(await scheduler.SetRetentionAsync("hybrid", path, new StoreRetention { MaxTotalBytes = 0 }));
        var store = await scheduler.GetStoreAsync("hybrid", path);
        Assert.True(await store.ExistsAsync(stored), "the stored node of a fragment already made was evicted");

        gate.SetResult();
        Assert.Equal(ExecutionStatus.Completed, await running.Completion.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(42.0, Assert.Single(running.GetGoalResults()).Value);
        Assert.Equal(1, ops.RunsOf(stored)); // served from the store, not computed again after an eviction
    }

    [Fact]
    public async Task The_policy_is_applied_at_open_then_on_its_timer_and_the_timer_stops_on_dispose()
    {
        using var temp = new TempFolder("vox-retention");
        var path = temp.Sub("store");
        var ops = new TestOps();
        DagDefinition Dag(double k)
        {
            var b = new DagBuilder();
            b.AddGoal(new DagGoal("v", GoalKind.Print, b.Operation("t.add", 1, [b.Constant(k), b.Constant(1.0)])));
            return b.Build();
        }

        // A store with results, made without any policy.
        await using (var plain = ops.Scheduler())
        {
            Assert.Equal(ExecutionStatus.Completed, (await TestOps.RunAsync(plain, Dag(1), Stored(path))).Status);
        }

        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var retention = new StoreRetention { MaxTotalBytes = 0, History = new(MaxExecutions: 1), Interval = TimeSpan.FromMinutes(5) };
        var scheduler = ops.Scheduler(new SchedulerOptions { MaxWorkers = 4, TimeProvider = clock, Retention = retention, ProgressInterval = TimeSpan.Zero });
        var applied = new SemaphoreSlim(0);
        scheduler.RetentionApplied = _ => applied.Release();
        try
        {
            // At open: the results made earlier are gone before anything runs.
            var store = await scheduler.GetStoreAsync("hybrid", path);
            Assert.False(await store.ExistsAsync(Dag(1).Nodes[^1].Id));

            // A run stores new results and history; the next tick of the timer trims them.
            for (var k = 2; k <= 3; k++)
                Assert.Equal(ExecutionStatus.Completed, (await TestOps.RunAsync(scheduler, Dag(k), Stored(path))).Status);
            var newest = Dag(3).Nodes[^1].Id;
            Assert.True(await store.ExistsAsync(newest));
            clock.Advance(TimeSpan.FromMinutes(5));
            Assert.True(await applied.WaitAsync(TimeSpan.FromSeconds(30)), "the timer did not apply the policy");
            Assert.False(await store.ExistsAsync(newest));
            var history = new List<VoxScheduler.Storage.ExecutionRecord>();
            await foreach (var r in store.ListExecutionsAsync()) history.Add(r);
            Assert.Single(history);
        }
        finally
        {
            await scheduler.DisposeAsync();
        }

        // Stopped with the scheduler: time passing applies nothing any more.
        clock.Advance(TimeSpan.FromMinutes(30));
        Assert.False(await applied.WaitAsync(TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public void An_interval_outside_its_bounds_or_negative_sizes_are_refused()
    {
        var e = Assert.Throws<ValidationException>(() => new StoreRetention { Interval = TimeSpan.FromDays(2), MaxTotalBytes = -1 }.Validate());
        Assert.Equal(2, e.Problems.Count);
        Assert.Throws<ValidationException>(() => new StoreRetention { Interval = TimeSpan.FromMilliseconds(10) }.Validate());
    }
}
