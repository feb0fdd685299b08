using Microsoft.Extensions.Time.Testing;
using VoxScheduler.Dag;
using VoxScheduler.Execution;
using VoxScheduler.Operations;
using VoxScheduler.Scheduling;

namespace VoxScheduler.Tests.Scheduling;

public sealed class RetryTests
{
    [Fact]
    public void Backoff_doubles_from_one_second_and_is_capped_at_sixty()
    {
        var delays = Enumerable.Range(1, 9).Select(k => RetryPolicy.Delay(k).TotalSeconds).ToArray();
        Assert.Equal([1, 2, 4, 8, 16, 32, 60, 60, 60], delays);
    }

    [Fact]
    public void Validation_and_deliberate_operation_failures_are_not_retried_but_other_errors_are()
    {
        var config = new ExecutionConfig { MaxRetries = 3 };
        Assert.False(RetryPolicy.ShouldRetry(config, new ValidationException("bad"), 1));
        Assert.False(RetryPolicy.ShouldRetry(config, new NodeExecutionException("division by zero"), 1));
        Assert.True(RetryPolicy.ShouldRetry(config, new IOException("disk"), 1));
        Assert.True(RetryPolicy.ShouldRetry(config, new TimeoutException(), 3));
        Assert.False(RetryPolicy.ShouldRetry(config, new IOException("disk"), 4));
        Assert.False(RetryPolicy.ShouldRetry(config with { RetryFailedNodes = false }, new IOException("disk"), 1));
    }

    [Fact]
    public async Task A_transient_failure_is_retried_after_one_then_two_seconds_on_the_injected_clock()
    {
        var time = new FakeTimeProvider();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tries = 0;
        var registry = new OperationRegistry();
        registry.Register(Operation.CreateAsync("r.flaky", 1, 1, async c =>
        {
            await gate.Task;
            if (Interlocked.Increment(ref tries) <= 2) throw new IOException($"transient {tries}");
            return c.Number(0) * 10;
        }));
        await using var scheduler = new DynamicScheduler(registry, new SchedulerOptions { TimeProvider = time, MaxWorkers = 2 });
        var b = new DagBuilder();
        var node = b.Operation("r.flaky", 1, [b.Constant(4.0)]);
        b.AddGoal(new DagGoal("x", GoalKind.Print, node));
        var execution = await scheduler.SubmitAsync(b.Build(), TestOps.Memory() with { MaxRetries = 3 });
        await using var events = execution.WatchAsync().GetAsyncEnumerator();
        var first = events.MoveNextAsync(); // subscribes before the node can fail
        gate.SetResult();

        var retry = await NextRetryAsync(events, first);
        Assert.Equal(1, retry.Attempt);
        Assert.Equal(1, Volatile.Read(ref tries));
        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal(1, Volatile.Read(ref tries));
        Assert.Equal(0, execution.GetProgress().ReadyNodes + execution.GetProgress().RunningNodes);
        time.Advance(TimeSpan.FromMilliseconds(1));

        retry = await NextRetryAsync(events, events.MoveNextAsync());
        Assert.Equal(2, retry.Attempt);
        Assert.Equal(2, Volatile.Read(ref tries));
        time.Advance(TimeSpan.FromMilliseconds(1999));
        Assert.Equal(2, Volatile.Read(ref tries));
        time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(ExecutionStatus.Completed, await execution.Completion.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(3, tries);
        Assert.Equal(40.0, execution.GetGoalResults()[0].Value);
    }

    [Fact]
    public async Task After_the_last_try_the_node_fails_and_only_its_dependents_are_skipped()
    {
        var time = new FakeTimeProvider();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tries = 0;
        var registry = new OperationRegistry();
        registry.Register(Operation.CreateAsync("r.broken", 0, 0, async _ =>
        {
            await gate.Task;
            Interlocked.Increment(ref tries);
            throw new IOException("still broken");
        }));
        registry.Register(Operation.Create("r.inc", 1, 1, c => c.Number(0) + 1));
        await using var scheduler = new DynamicScheduler(registry, new SchedulerOptions { TimeProvider = time });
        var b = new DagBuilder();
        var broken = b.Operation("r.broken", 1, []);
        b.AddGoal(new DagGoal("downstream", GoalKind.Print, b.Operation("r.inc", 1, [broken])));
        b.AddGoal(new DagGoal("independent", GoalKind.Print, b.Operation("r.inc", 1, [b.Constant(1.0)])));
        var execution = await scheduler.SubmitAsync(b.Build(), TestOps.Memory() with { MaxRetries = 2 });
        await using var events = execution.WatchAsync().GetAsyncEnumerator();
        var next = events.MoveNextAsync();
        gate.SetResult();
        for (var expected = 1; expected <= 2; expected++)
        {
            var retry = await NextRetryAsync(events, expected == 1 ? next : events.MoveNextAsync());
            Assert.Equal(expected, retry.Attempt);
            time.Advance(RetryPolicy.Delay(expected));
        }

        Assert.Equal(ExecutionStatus.Failed, await execution.Completion.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(3, tries);
        var goals = execution.GetGoalResults();
        Assert.Equal(NodeStatus.Skipped, goals[0].Status);
        Assert.Contains("still broken", goals[0].Error);
        Assert.Equal(NodeStatus.Completed, goals[1].Status);
        Assert.Equal(2.0, goals[1].Value);
        var progress = execution.GetProgress();
        Assert.Equal(1, progress.FailedNodes);
        Assert.Equal(1, progress.SkippedNodes);
    }

    [Fact]
    public async Task A_node_that_outlives_its_timeout_is_cancelled_and_fails()
    {
        var time = new FakeTimeProvider();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sawCancellation = false;
        var registry = new OperationRegistry();
        registry.Register(Operation.CreateAsync("r.hang", 0, 0, async c =>
        {
            started.SetResult();
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, c.CancellationToken);
            }
            catch (OperationCanceledException)
            {
                sawCancellation = true;
                throw;
            }

            return 0.0;
        }));
        await using var scheduler = new DynamicScheduler(registry, new SchedulerOptions { TimeProvider = time });
        var b = new DagBuilder();
        b.AddGoal(new DagGoal("hang", GoalKind.Print, b.Operation("r.hang", 1, [])));
        var execution = await scheduler.SubmitAsync(b.Build(), TestOps.Memory() with { NodeTimeout = TimeSpan.FromSeconds(5), MaxRetries = 0 });
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(ExecutionStatus.Failed, await execution.Completion.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(sawCancellation);
        Assert.Contains("timeout", execution.GetGoalResults()[0].Error);
    }

    [Fact]
    public async Task Operations_failing_deliberately_run_once_even_with_retries_enabled()
    {
        var ops = new TestOps();
        await using var scheduler = ops.Scheduler();
        var b = new DagBuilder();
        var fail = b.Operation("test.fail", 1, [b.Constant("no")]);
        b.AddGoal(new DagGoal("f", GoalKind.Print, fail));
        var execution = await TestOps.RunAsync(scheduler, b.Build(), TestOps.Memory() with { MaxRetries = 5 });
        Assert.Equal(ExecutionStatus.Failed, execution.Status);
        Assert.Equal("no", execution.GetGoalResults()[0].Error);
    }

    private static async Task<ExecutionEvent> NextRetryAsync(IAsyncEnumerator<ExecutionEvent> events, ValueTask<bool> pending)
    {
        var more = await pending.AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        while (more)
        {
            if (events.Current.Kind == ExecutionEventKind.NodeRetrying) return events.Current;
            more = await events.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        }

        throw new Xunit.Sdk.XunitException("The execution ended without a retry.");
    }
}
