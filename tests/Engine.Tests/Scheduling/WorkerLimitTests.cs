using VoxScheduler.Dag;
using VoxScheduler.Execution;
using VoxScheduler.Operations;
using VoxScheduler.Scheduling;

namespace VoxScheduler.Tests.Scheduling;

public sealed class WorkerLimitTests
{
    [Fact]
    public async Task Executions_together_never_compute_more_nodes_than_the_scheduler_has_workers()
    {
        var running = 0;
        var max = 0;
        var registry = new OperationRegistry();
        // Synchronous: a node computing holds its worker for the whole call (the bound is on CPU work).
        registry.Register(Operation.Create("w.busy", 1, 1, c =>
        {
            var now = Interlocked.Increment(ref running);
            int seen;
            while (now > (seen = Volatile.Read(ref max)) && Interlocked.CompareExchange(ref max, now, seen) != seen) { }
            Thread.Sleep(2);
            Interlocked.Decrement(ref running);
            return c.Number(0);
        }));
        await using var scheduler = new DynamicScheduler(registry, new SchedulerOptions { MaxWorkers = 3 });

        DagDefinition Dag(int offset)
        {
            var b = new DagBuilder();
            for (var i = 0; i < 40; i++) b.AddGoal(new DagGoal($"g{i}", GoalKind.Print, b.Operation("w.busy", 1, [b.Constant((double)(offset + i))])));
            return b.Build();
        }

        var executions = new List<IExecution>();
        for (var k = 0; k < 3; k++) executions.Add(await scheduler.SubmitAsync(Dag(k * 1000), TestOps.Memory(4)));
        var statuses = await Task.WhenAll(executions.Select(x => x.Completion)).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.All(statuses, s => Assert.Equal(ExecutionStatus.Completed, s));
        Assert.InRange(max, 1, 3);
        Assert.All(executions, x => Assert.All(x.GetGoalResults(), g => Assert.Equal(NodeStatus.Completed, g.Status)));
    }

    [Fact]
    public async Task Nodes_waiting_on_io_hold_no_worker_so_64_are_in_flight_with_two_workers()
    {
        const int n = 64;
        var inFlight = 0;
        var peak = 0;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var registry = new OperationRegistry();
        // Each node waits until all 64 are waiting at once: with waiting nodes holding workers
        // (2 here) the barrier is never reached and the nodes fail after their wait.
        registry.Register(Operation.CreateAsync("w.barrier", 1, 1, async c =>
        {
            var now = Interlocked.Increment(ref inFlight);
            int seen;
            while (now > (seen = Volatile.Read(ref peak)) && Interlocked.CompareExchange(ref peak, now, seen) != seen) { }
            if (now == n) all.TrySetResult();
            await all.Task.WaitAsync(TimeSpan.FromSeconds(15), c.CancellationToken);
            Interlocked.Decrement(ref inFlight);
            return c.Number(0);
        }));
        await using var scheduler = new DynamicScheduler(registry, new SchedulerOptions { MaxWorkers = 2 });
        var b = new DagBuilder();
        for (var i = 0; i < n; i++) b.AddGoal(new DagGoal($"g{i}", GoalKind.Print, b.Operation("w.barrier", 1, [b.Constant((double)i)])));
        var config = TestOps.Memory(n) with { MaxRetries = 0, RetryFailedNodes = false };

        var execution = await scheduler.SubmitAsync(b.Build(), config);
        var status = await execution.Completion.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(ExecutionStatus.Completed, status);
        Assert.Equal(n, peak);
        Assert.Equal(2, scheduler.MaxWorkers);
        Assert.Contains("worker cap of 2", scheduler.ConcurrencyWarning(config));
    }

    [Fact]
    public async Task Sleeping_nodes_overlap_beyond_the_worker_cap_and_the_execution_limit_still_bounds_them()
    {
        // test.sleep(x, 200) nodes: their run intervals (end = event time, start = end - duration)
        // overlap 64 deep with 2 workers, and never more than the execution's own limit.
        var ops = new TestOps();
        await using var scheduler = ops.Scheduler(new SchedulerOptions { MaxWorkers = 2 });
        DagDefinition Sleeps(int count, int offset)
        {
            // Distinct values per run: the memory slot's value cache would serve a repeated node.
            var b = new DagBuilder();
            for (var i = 0; i < count; i++)
                b.AddGoal(new DagGoal($"s{i}", GoalKind.Print, b.Operation("test.sleep", 1, [b.Constant((double)(offset + i)), b.Constant(200.0)])));
            return b.Build();
        }

        async Task<int> PeakOverlap(int count, int limit)
        {
            var execution = await scheduler.SubmitAsync(Sleeps(count, limit * 1000), TestOps.Memory(limit));
            var spans = new List<(DateTimeOffset Start, DateTimeOffset End)>();
            await foreach (var e in execution.WatchAsync().WithCancellation(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token))
            {
                if (e.Kind == ExecutionEventKind.NodeFinished && e.Operator == "test.sleep") spans.Add((e.At - e.Duration, e.At));
            }

            Assert.Equal(ExecutionStatus.Completed, execution.Status);
            Assert.Equal(count, spans.Count);
            var points = spans.SelectMany(s => new[] { (s.Start, +1), (s.End, -1) }).OrderBy(p => p.Item1).ThenBy(p => p.Item2);
            int depth = 0, peak = 0;
            foreach (var (_, d) in points) peak = Math.Max(peak, depth += d);
            return peak;
        }

        Assert.True(await PeakOverlap(64, 64) > 2 * scheduler.MaxWorkers, "sleeping nodes held workers");
        Assert.InRange(await PeakOverlap(24, 6), 1, 6);
    }

    [Fact]
    public async Task The_worker_cap_can_be_raised_while_work_waits_for_it()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var computing = 0;
        var peak = 0;
        var started = new SemaphoreSlim(0);
        var registry = new OperationRegistry();
        registry.Register(Operation.Create("w.hold", 1, 1, c =>
        {
            var now = Interlocked.Increment(ref computing);
            int seen;
            while (now > (seen = Volatile.Read(ref peak)) && Interlocked.CompareExchange(ref peak, now, seen) != seen) { }
            started.Release();
            release.Task.Wait(TimeSpan.FromSeconds(30));
            Interlocked.Decrement(ref computing);
            return c.Number(0);
        }));
        await using var scheduler = new DynamicScheduler(registry, new SchedulerOptions { MaxWorkers = 1 });
        var b = new DagBuilder();
        for (var i = 0; i < 3; i++) b.AddGoal(new DagGoal($"g{i}", GoalKind.Print, b.Operation("w.hold", 1, [b.Constant((double)i)])));
        var execution = await scheduler.SubmitAsync(b.Build(), TestOps.Memory(3));
        Assert.True(await started.WaitAsync(TimeSpan.FromSeconds(10)));

        scheduler.MaxWorkers = 3;
        Assert.True(await started.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(await started.WaitAsync(TimeSpan.FromSeconds(10)));
        release.SetResult();

        Assert.Equal(ExecutionStatus.Completed, await execution.Completion.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(3, peak);
        Assert.Throws<ArgumentOutOfRangeException>(() => scheduler.MaxWorkers = 0);
    }
}
