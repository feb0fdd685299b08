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
        var delays = Enumerable.Range(1, 9).Select(k => RetryPolicy.Default.GetDelay(k).TotalSeconds).ToArray();
        Assert.Equal([1, 2, 4, 8, 16, 32, 60, 60, 60], delays);
    }

    [Fact]
    public void A_configured_policy_sets_the_base_the_factor_and_the_cap()
    {
        var policy = new RetryPolicy { BaseDelay = TimeSpan.FromMilliseconds(100), BackoffFactor = 3, MaxDelay = TimeSpan.FromSeconds(2) };
        var delays = Enumerable.Range(1, 5).Select(k => policy.GetDelay(k).TotalMilliseconds).ToArray();
        Assert.Equal([100, 300, 900, 2000, 2000], delays);
        // A factor that overflows a TimeSpan after many retries stays at the cap.
        Assert.Equal(TimeSpan.FromSeconds(2), (policy with { BackoffFactor = 100 }).GetDelay(100));
        Assert.Equal(TimeSpan.FromSeconds(5), (RetryPolicy.Default with { BackoffFactor = 1, BaseDelay = TimeSpan.FromSeconds(5) }).GetDelay(7));
    }

    [Fact]
    public void Validation_and_permanent_failures_are_never_retried_operation_failures_are_by_default()
    {
        var config = new ExecutionConfig { MaxRetries = 3 };
        Assert.False(config.ShouldRetry(new ValidationException("bad"), 1));
        Assert.False(config.ShouldRetry(new NodeExecutionException("division by zero", permanent: true), 1));
        // An operation failure the operation did not mark permanent is worth another try (#14 item 15).
        Assert.True(config.ShouldRetry(new NodeExecutionException("the service did not answer"), 1));
        Assert.True(config.ShouldRetry(new IOException("disk"), 1));
        Assert.True(config.ShouldRetry(new TimeoutException(), 3));
        Assert.True(config.ShouldRetry(new StorageException("locked"), 1));
        Assert.False(config.ShouldRetry(new IOException("disk"), 4));
        Assert.False(config.ShouldRetry(new AggregateException(new IOException("a"), new ValidationException("b")), 1));
        Assert.False((config with { RetryFailedNodes = false }).ShouldRetry(new IOException("disk"), 1));
    }

    [Fact]
    public void Retry_on_chooses_the_kinds_of_failure_that_are_transient()
    {
        var timeoutsOnly = new ExecutionConfig { RetryPolicy = RetryPolicy.Default with { RetryOn = FailureKinds.Timeout } };
        Assert.True(timeoutsOnly.ShouldRetry(new TimeoutException(), 1));
        Assert.False(timeoutsOnly.ShouldRetry(new IOException("disk"), 1));
        Assert.False(timeoutsOnly.ShouldRetry(new StorageException("locked"), 1));
        Assert.False(timeoutsOnly.ShouldRetry(new AggregateException(new TimeoutException(), new IOException("x")), 1));
        var none = new ExecutionConfig { RetryPolicy = RetryPolicy.Default with { RetryOn = FailureKinds.None } };
        Assert.False(none.ShouldRetry(new TimeoutException(), 1));
        Assert.Equal(FailureKinds.Storage, RetryPolicy.Classify(new StorageCorruptionException("bad", "ab")));
    }

    [Fact]
    public void Max_retries_is_the_policy_s_and_invalid_fields_are_each_reported()
    {
        var config = new ExecutionConfig { RetryPolicy = new RetryPolicy { BaseDelay = TimeSpan.FromSeconds(3) }, MaxRetries = 7 };
        Assert.Equal(7, config.RetryPolicy.MaxRetries);
        Assert.Equal(TimeSpan.FromSeconds(3), config.RetryPolicy.BaseDelay);
        var bad = new ExecutionConfig
        {
            RetryPolicy = new RetryPolicy
            {
                MaxRetries = -1, BaseDelay = TimeSpan.FromSeconds(-1), BackoffFactor = double.NaN, MaxDelay = TimeSpan.FromDays(2),
            },
        };
        var error = Assert.Throws<ValidationException>(bad.Validate);
        Assert.Equal(4, error.Problems.Count);
        Assert.Contains(error.Problems, p => p.Message.StartsWith("max_retries ", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.Message.StartsWith("retry_base_delay_seconds ", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.Message.StartsWith("retry_backoff_factor ", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.Message.StartsWith("retry_max_delay_seconds ", StringComparison.Ordinal));
        var capBelowBase = new ExecutionConfig { RetryPolicy = new RetryPolicy { BaseDelay = TimeSpan.FromSeconds(10), MaxDelay = TimeSpan.FromSeconds(5) } };
        Assert.Contains("at least retry_base_delay_seconds", Assert.Throws<ValidationException>(capBelowBase.Validate).Message);
    }

    [Fact]
    public async Task A_configured_policy_retries_as_often_and_as_late_as_it_says_on_the_injected_clock()
    {
        // 4 retries after 0.5, 1.5, 4.5 and then the 5 s cap (factor 3), of a failure the
        // operation did not mark permanent (a NodeExecutionException was never retried before).
        var time = new FakeTimeProvider();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tries = 0;
        var registry = new OperationRegistry();
        registry.Register(Operation.CreateAsync("r.remote", 1, 1, async c =>
        {
            await gate.Task;
            if (Interlocked.Increment(ref tries) <= 4) throw new NodeExecutionException($"the service is busy ({tries})");
            return c.Number(0) + 1;
        }));
        await using var scheduler = new DynamicScheduler(registry, new SchedulerOptions { TimeProvider = time, MaxWorkers = 2 });
        var b = new DagBuilder();
        b.AddGoal(new DagGoal("x", GoalKind.Print, b.Operation("r.remote", 1, [b.Constant(1.0)])));
        var policy = new RetryPolicy { MaxRetries = 4, BaseDelay = TimeSpan.FromMilliseconds(500), BackoffFactor = 3, MaxDelay = TimeSpan.FromSeconds(5) };
        var execution = await scheduler.SubmitAsync(b.Build(), TestOps.Memory() with { RetryPolicy = policy });
        await using var events = execution.WatchAsync().GetAsyncEnumerator();
        var next = events.MoveNextAsync();
        gate.SetResult();
        double[] expected = [500, 1500, 4500, 5000];
        for (var k = 1; k <= 4; k++)
        {
            var retry = await NextRetryAsync(events, k == 1 ? next : events.MoveNextAsync());
            Assert.Equal(k, retry.Attempt);
            Assert.Equal(k, Volatile.Read(ref tries));
            time.Advance(TimeSpan.FromMilliseconds(expected[k - 1] - 1));
            Assert.Equal(k, Volatile.Read(ref tries)); // not a millisecond early
            time.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.Equal(ExecutionStatus.Completed, await execution.Completion.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(5, tries);
        Assert.Equal(2.0, execution.GetGoalResults()[0].Value);
    }

    [Fact]
    public async Task A_kind_left_out_of_retry_on_is_tried_once()
    {
        var tries = 0;
        var registry = new OperationRegistry();
        registry.Register(Operation.Create("r.io", 0, 0, _ =>
        {
            Interlocked.Increment(ref tries);
            throw new IOException("disk");
        }));
        await using var scheduler = new DynamicScheduler(registry);
        var b = new DagBuilder();
        b.AddGoal(new DagGoal("x", GoalKind.Print, b.Operation("r.io", 1, [])));
        var config = TestOps.Memory() with { RetryPolicy = RetryPolicy.Default with { MaxRetries = 5, RetryOn = FailureKinds.Timeout | FailureKinds.Storage } };
        var execution = await TestOps.RunAsync(scheduler, b.Build(), config);
        Assert.Equal(ExecutionStatus.Failed, execution.Status);
        Assert.Equal(1, tries);
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
            time.Advance(RetryPolicy.Default.GetDelay(expected));
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
