using VoxScheduler.Dag;
using VoxScheduler.Execution;
using VoxScheduler.Operations;
using VoxScheduler.Operations.Builtins;
using VoxScheduler.Scheduling;

namespace VoxScheduler.Tests.Scheduling;

/// <summary>
/// Issue 14 item 11: a permanent error is tried once, however many retries are allowed (an
/// out-of-range test.sleep used to be tried four times), and test.flaky's table of keys stays bounded.
/// </summary>
public sealed class PermanentFailureTests
{
    [Fact]
    public async Task A_permanent_failure_is_tried_once_however_many_retries_are_allowed()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var verdicts = 0;
        var registry = new OperationRegistry();
        TestNamespace.Register(registry);
        registry.Register(Operation.CreateAsync("p.gate", 0, 0, async _ =>
        {
            await gate.Task;
            return 1.0;
        }));
        registry.Register(Operation.Create("p.verdict", 1, 1, c =>
        {
            Interlocked.Increment(ref verdicts);
            throw c.Fail("this input is refused, every time");
        }));
        await using var scheduler = new DynamicScheduler(registry);
        var b = new DagBuilder();
        var open = b.Operation("p.gate", 1, []);
        b.AddGoal(new DagGoal("verdict", GoalKind.Print, b.Operation("p.verdict", 1, [open])));
        // test.sleep with a delay past its bound (the overflow the issue saw retried three times).
        b.AddGoal(new DagGoal("overflow", GoalKind.Print, b.Operation("test.sleep", 1, [open, b.Constant(1e300)])));
        var execution = await scheduler.SubmitAsync(b.Build(), TestOps.Memory() with { MaxRetries = 3 });

        var retries = new List<ExecutionEvent>();
        await using var events = execution.WatchAsync().GetAsyncEnumerator();
        var next = events.MoveNextAsync(); // subscribed before anything can fail
        gate.SetResult();
        while (await next.AsTask().WaitAsync(TimeSpan.FromSeconds(30)))
        {
            if (events.Current.Kind == ExecutionEventKind.NodeRetrying) retries.Add(events.Current);
            if (events.Current.Kind == ExecutionEventKind.ExecutionFinished) break;
            next = events.MoveNextAsync();
        }

        Assert.Equal(ExecutionStatus.Failed, await execution.Completion.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Empty(retries);
        Assert.Equal(1, Volatile.Read(ref verdicts));
        var goals = execution.GetGoalResults();
        Assert.All(goals, g => Assert.Equal(NodeStatus.Failed, g.Status));
        Assert.Contains("every time", goals.Single(g => g.Name == "verdict").Error);
        Assert.Contains("ms must be between", goals.Single(g => g.Name == "overflow").Error);
        Assert.Equal(2, execution.GetProgress().FailedNodes);
    }

    [Fact]
    public async Task Test_flaky_remembers_at_most_its_bound_of_keys()
    {
        // One more distinct key than the bound, each call succeeding at once (n = 0): before the
        // bound every key stayed in the table for the life of the process.
        var registry = new OperationRegistry();
        TestNamespace.Register(registry);
        await using var scheduler = new DynamicScheduler(registry);
        var b = new DagBuilder();
        var keys = TestNamespace.MaxFlakyKeys + 1;
        // A chain, so every node is needed by the goal: flaky(previous, 0, key) is previous.
        var last = b.Constant(7.0);
        for (var i = 0; i < keys; i++)
        {
            last = b.Operation("test.flaky", 1, [last, b.Constant(0.0), b.Constant($"bound-{i}")]);
        }

        b.AddGoal(new DagGoal("last", GoalKind.Print, last));
        var execution = await scheduler.SubmitAsync(b.Build(), TestOps.Memory());
        Assert.Equal(ExecutionStatus.Completed, await execution.Completion.WaitAsync(TimeSpan.FromSeconds(120)));
        Assert.Equal(7.0, execution.GetGoalResults()[0].Value);
        Assert.InRange(TestNamespace.FlakyKeysRemembered, 0, TestNamespace.MaxFlakyKeys);
    }
}
