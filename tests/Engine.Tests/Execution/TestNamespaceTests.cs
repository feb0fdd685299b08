using VoxScheduler.Dag;
using VoxScheduler.Execution;
using VoxScheduler.Operations;
using VoxScheduler.Operations.Builtins;
using VoxScheduler.Scheduling;
using VoxScheduler.Tests.Scheduling;

namespace VoxScheduler.Tests.Execution;

public sealed class TestNamespaceTests
{
    private static async Task<GoalResult> RunOneAsync(string op, object?[] args, ExecutionConfig? config = null)
    {
        var ops = new TestOps();
        await using var scheduler = ops.Scheduler();
        var b = new DagBuilder();
        var node = b.Operation(op, 1, args.Select(a => b.Constant(a)).ToArray());
        b.AddGoal(new DagGoal("x", GoalKind.Print, node));
        var execution = await TestOps.RunAsync(scheduler, b.Build(), config);
        return execution.GetGoalResults()[0];
    }

    [Fact]
    public void The_namespace_registers_six_pure_operations_with_their_arities()
    {
        var registry = new OperationRegistry();
        TestNamespace.Register(registry);
        Assert.Equal(["test.blob", "test.fail", "test.flaky", "test.sha256", "test.sleep", "test.spin"], registry.InNamespace("test").Select(o => o.Name));
        Assert.All(registry.InNamespace("test"), o => Assert.Equal(Purity.Pure, o.Purity));
        Assert.Equal("3", registry.InNamespace("test").Single(o => o.ShortName == "flaky").ArityText);
        Assert.True(registry.InNamespace("test").Single(o => o.ShortName == "sha256").ReadsAsStream(0));
    }

    [Fact]
    public async Task Spin_returns_its_first_argument()
    {
        Assert.Equal(7.0, (await RunOneAsync("test.spin", [7.0, 0.0])).Value);
        Assert.Equal("s", (await RunOneAsync("test.spin", ["s", 2.0])).Value);
        Assert.Equal(NodeStatus.Failed, (await RunOneAsync("test.spin", [1.0, -1.0])).Status);
    }

    [Fact]
    public async Task Sleep_returns_its_first_argument_after_the_delay()
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(3.0, (await RunOneAsync("test.sleep", [3.0, 50.0])).Value);
        Assert.True(watch.ElapsedMilliseconds >= 45);
    }

    [Fact]
    public async Task Blob_is_deterministic_bytes_of_the_requested_size()
    {
        var a = Assert.IsType<byte[]>((await RunOneAsync("test.blob", [1.0, 0.25])).Value);
        var b = Assert.IsType<byte[]>((await RunOneAsync("test.blob", [1.0, 0.25])).Value);
        var c = Assert.IsType<byte[]>((await RunOneAsync("test.blob", [2.0, 0.25])).Value);
        Assert.Equal(256 * 1024, a.Length);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public async Task Fail_always_fails_with_its_message()
    {
        var result = await RunOneAsync("test.fail", ["kaput"]);
        Assert.Equal(NodeStatus.Failed, result.Status);
        Assert.Equal("kaput", result.Error);
    }

    [Fact]
    public async Task Flaky_fails_the_first_n_times_per_key_then_returns_its_value()
    {
        var key = Guid.NewGuid().ToString();
        // With retries off each execution is one try: two failures, then success, then success again.
        var noRetry = TestOps.Memory() with { RetryFailedNodes = false };
        Assert.Equal(NodeStatus.Failed, (await RunOneAsync("test.flaky", [5.0, 2.0, key], noRetry)).Status);
        Assert.Contains("planned failure 2 of 2", (await RunOneAsync("test.flaky", [5.0, 2.0, key], noRetry)).Error);
        Assert.Equal(5.0, (await RunOneAsync("test.flaky", [5.0, 2.0, key], noRetry)).Value);
        Assert.Equal(5.0, (await RunOneAsync("test.flaky", [5.0, 2.0, key], noRetry)).Value);
    }
}
