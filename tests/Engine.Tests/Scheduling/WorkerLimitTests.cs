using VoxScheduler.Dag;
using VoxScheduler.Execution;
using VoxScheduler.Operations;
using VoxScheduler.Scheduling;

namespace VoxScheduler.Tests.Scheduling;

public sealed class WorkerLimitTests
{
    [Fact]
    public async Task Executions_together_never_run_more_nodes_than_the_scheduler_has_workers()
    {
        var running = 0;
        var max = 0;
        var registry = new OperationRegistry();
        registry.Register(Operation.CreateAsync("w.busy", 1, 1, async c =>
        {
            var now = Interlocked.Increment(ref running);
            int seen;
            while (now > (seen = Volatile.Read(ref max)) && Interlocked.CompareExchange(ref max, now, seen) != seen) { }
            await Task.Delay(2);
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
}
