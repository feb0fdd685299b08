using VoxScheduler.Dag;
using VoxScheduler.Execution;
using VoxScheduler.Operations;
using VoxScheduler.Scheduling;

namespace VoxScheduler.Tests.Scheduling;

public sealed class CancellationAndSharingTests
{
    [Fact]
    public async Task Cancelling_reaches_running_operations_and_ends_the_execution_cancelled()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sawCancellation = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var registry = new OperationRegistry();
        registry.Register(Operation.CreateAsync("c.hang", 1, 1, async c =>
        {
            started.TrySetResult();
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, c.CancellationToken);
            }
            catch (OperationCanceledException)
            {
                sawCancellation.TrySetResult();
                throw;
            }

            return 0.0;
        }));
        registry.Register(Operation.Create("c.inc", 1, 1, c => c.Number(0) + 1));
        await using var scheduler = new DynamicScheduler(registry);
        var b = new DagBuilder();
        var hang = b.Operation("c.hang", 1, [b.Constant(1.0)]);
        b.AddGoal(new DagGoal("after", GoalKind.Print, b.Operation("c.inc", 1, [hang])));
        var execution = await scheduler.SubmitAsync(b.Build(), TestOps.Memory());
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(await scheduler.CancelAsync(execution.ExecutionId));
        Assert.Equal(ExecutionStatus.Cancelled, await execution.Completion.WaitAsync(TimeSpan.FromSeconds(30)));
        await sawCancellation.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(NodeStatus.Cancelled, execution.GetGoalResults()[0].Status);
        Assert.False(await scheduler.CancelAsync(execution.ExecutionId));
        Assert.Equal(ExecutionStatus.Cancelled, await scheduler.WaitAsync(execution.ExecutionId));
    }

    [Fact]
    public async Task Two_executions_sharing_a_slow_node_compute_it_once()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var runs = 0;
        var registry = new OperationRegistry();
        registry.Register(Operation.CreateAsync("s.slow", 1, 1, async c =>
        {
            Interlocked.Increment(ref runs);
            await release.Task;
            return c.Number(0) * 2;
        }));
        registry.Register(Operation.Create("s.inc", 2, 2, c => c.Number(0) + c.Number(1)));
        await using var scheduler = new DynamicScheduler(registry);

        DagDefinition Dag(double k)
        {
            var b = new DagBuilder();
            var shared = b.Operation("s.slow", 1, [b.Constant(21.0)]);
            b.AddGoal(new DagGoal("v", GoalKind.Print, b.Operation("s.inc", 1, [shared, b.Constant(k)])));
            return b.Build();
        }

        var first = await scheduler.SubmitAsync(Dag(1), TestOps.Memory());
        while (Volatile.Read(ref runs) == 0) await Task.Yield();
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var inFlight = ((ScheduledExecution)first).InFlight;
        inFlight.WaiterAdded += _ => waiting.TrySetResult();
        var second = await scheduler.SubmitAsync(Dag(2), TestOps.Memory());
        await waiting.Task.WaitAsync(TimeSpan.FromSeconds(30));
        release.SetResult();

        Assert.Equal(ExecutionStatus.Completed, await first.Completion.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(ExecutionStatus.Completed, await second.Completion.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(1, runs);
        Assert.Equal(43.0, first.GetGoalResults()[0].Value);
        Assert.Equal(44.0, second.GetGoalResults()[0].Value);
        Assert.Equal(1, second.GetProgress().CachedNodes);
    }

    [Fact]
    public async Task A_late_subscriber_replays_finished_goals_and_sees_the_end()
    {
        var ops = new TestOps();
        await using var scheduler = ops.Scheduler();
        var b = new DagBuilder();
        b.AddGoal(new DagGoal("a", GoalKind.Print, b.Operation("t.add", 1, [b.Constant(1.0)])));
        b.AddGoal(new DagGoal("b", GoalKind.Print, b.Operation("t.add", 1, [b.Constant(2.0)])));
        var execution = await TestOps.RunAsync(scheduler, b.Build());

        var events = new List<ExecutionEvent>();
        await foreach (var e in execution.WatchAsync(replay: true)) events.Add(e);
        Assert.Equal(2, events.Count(e => e.Kind == ExecutionEventKind.GoalFinished));
        Assert.Equal(ExecutionEventKind.ExecutionFinished, events[^1].Kind);
        Assert.Equal(["a", "b"], events.Where(e => e.Goal is not null).Select(e => e.Goal!.Name).Order());
    }

    [Fact]
    public async Task A_subscriber_gets_every_goal_and_node_events_while_the_execution_runs()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var registry = new OperationRegistry();
        registry.Register(Operation.CreateAsync("e.wait", 1, 1, async c =>
        {
            await gate.Task;
            return c.Number(0);
        }));
        await using var scheduler = new DynamicScheduler(registry);
        var b = new DagBuilder();
        for (var i = 0; i < 20; i++) b.AddGoal(new DagGoal($"g{i}", GoalKind.Print, b.Operation("e.wait", 1, [b.Constant((double)i)])));
        var execution = await scheduler.SubmitAsync(b.Build(), TestOps.Memory(4));
        var events = new List<ExecutionEvent>();
        await using var e = execution.WatchAsync().GetAsyncEnumerator();
        var next = e.MoveNextAsync();
        gate.SetResult();
        while (await next)
        {
            events.Add(e.Current);
            next = e.MoveNextAsync();
        }

        Assert.Equal(20, events.Count(x => x.Kind == ExecutionEventKind.GoalFinished));
        Assert.Equal(20, events.Count(x => x.Kind == ExecutionEventKind.NodeFinished));
        Assert.Equal(ExecutionEventKind.ExecutionFinished, events[^1].Kind);
        Assert.Equal(100, events[^1].Progress!.ProgressPercentage);
    }

    [Fact]
    public async Task Executions_are_found_by_id_and_name_and_listed_newest_first()
    {
        var ops = new TestOps();
        await using var scheduler = ops.Scheduler();
        var b = new DagBuilder();
        b.AddGoal(new DagGoal("a", GoalKind.Print, b.Operation("t.add", 1, [b.Constant(1.0)])));
        var dag = b.Build();
        var one = await TestOps.RunAsync(scheduler, dag, options: new SubmitOptions { Name = "first" });
        var two = await TestOps.RunAsync(scheduler, dag, options: new SubmitOptions { Name = "second" });

        Assert.Same(one, scheduler.Find("first"));
        Assert.Same(two, scheduler.Find(two.ExecutionId));
        Assert.Null(scheduler.Find("nobody"));
        Assert.Equal([two.ExecutionId, one.ExecutionId], scheduler.ListExecutions().Select(x => x.ExecutionId).Take(2));
        Assert.NotNull(scheduler.GetProgress(one.ExecutionId));
        await Assert.ThrowsAsync<SchedulingException>(() => scheduler.WaitAsync("nobody"));
    }

    [Fact]
    public async Task Submitting_an_invalid_dag_reports_every_problem_before_anything_runs()
    {
        var ops = new TestOps();
        await using var scheduler = ops.Scheduler();
        var b = new DagBuilder();
        var unknown = b.Operation("nope.op", 1, []);
        var wrongArity = b.Operation("test.fail", 1, [b.Constant(1.0), b.Constant(2.0)]);
        b.AddGoal(new DagGoal("u", GoalKind.Print, unknown));
        b.AddGoal(new DagGoal("w", GoalKind.Print, wrongArity));
        var error = await Assert.ThrowsAsync<ValidationException>(async () =>
            await scheduler.SubmitAsync(b.Build(), TestOps.Memory() with { MaxConcurrentNodes = 0 }));
        Assert.Contains(error.Problems, p => p.Code == "UnknownOperation" && p.Message.Contains("nope.op"));
        Assert.Contains(error.Problems, p => p.Code == "WrongArity");
        Assert.Contains(error.Problems, p => p.Code == "InvalidConfig");
        Assert.Equal(0, ops.TotalRuns);
        Assert.Empty(scheduler.ListExecutions());
    }
}
