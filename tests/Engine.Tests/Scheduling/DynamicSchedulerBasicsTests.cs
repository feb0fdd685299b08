using VoxScheduler.Dag;
using VoxScheduler.Execution;
using VoxScheduler.Scheduling;

namespace VoxScheduler.Tests.Scheduling;

public sealed class DynamicSchedulerBasicsTests
{
    [Fact]
    public async Task A_small_dag_computes_its_goals_in_memory()
    {
        var ops = new TestOps();
        await using var scheduler = ops.Scheduler();
        var b = new DagBuilder();
        var one = b.Constant(1.0);
        var two = b.Constant(2.0);
        var sum = b.Operation("t.add", 1, [one, two]);
        var twice = b.Operation("t.add", 1, [sum, sum]);
        b.AddGoal(new DagGoal("sum", GoalKind.Print, sum));
        b.AddGoal(new DagGoal("twice", GoalKind.Print, twice));
        var execution = await TestOps.RunAsync(scheduler, b.Build());

        Assert.Equal(ExecutionStatus.Completed, execution.Status);
        var goals = execution.GetGoalResults();
        Assert.Equal(3.0, goals[0].Value);
        Assert.Equal(6.0, goals[1].Value);
        Assert.All(goals, g => Assert.Equal(NodeStatus.Completed, g.Status));
        var progress = execution.GetProgress();
        Assert.Equal(100, progress.ProgressPercentage);
        Assert.Equal(4, progress.TotalNodes);
        Assert.Equal(1, ops.RunsOf(b[sum].Id));
    }

    [Fact]
    public async Task A_failing_node_skips_its_dependents_and_independent_goals_complete()
    {
        var ops = new TestOps();
        await using var scheduler = ops.Scheduler();
        var b = new DagBuilder();
        var bad = b.Operation("test.fail", 1, [b.Constant("boom")]);
        var after = b.Operation("t.add", 1, [bad, b.Constant(1.0)]);
        var good = b.Operation("t.add", 1, [b.Constant(2.0), b.Constant(3.0)]);
        b.AddGoal(new DagGoal("bad", GoalKind.Print, bad));
        b.AddGoal(new DagGoal("after", GoalKind.Print, after));
        b.AddGoal(new DagGoal("good", GoalKind.Print, good));
        var execution = await TestOps.RunAsync(scheduler, b.Build());

        Assert.Equal(ExecutionStatus.Failed, execution.Status);
        var goals = execution.GetGoalResults();
        Assert.Equal(NodeStatus.Failed, goals[0].Status);
        Assert.Contains("boom", goals[0].Error);
        Assert.Equal(NodeStatus.Skipped, goals[1].Status);
        Assert.Contains("boom", goals[1].Error);
        Assert.Equal(NodeStatus.Completed, goals[2].Status);
        Assert.Equal(5.0, goals[2].Value);
    }

    [Fact]
    public async Task Async_operations_run_and_respect_the_concurrency_limit()
    {
        var ops = new TestOps();
        await using var scheduler = ops.Scheduler();
        var b = new DagBuilder();
        var leaves = Enumerable.Range(0, 50).Select(i => b.Operation("t.addAsync", 1, [b.Constant((double)i)])).ToArray();
        var total = b.Operation("t.add", 1, leaves);
        b.AddGoal(new DagGoal("total", GoalKind.Print, total));
        var execution = await TestOps.RunAsync(scheduler, b.Build(), TestOps.Memory(3));
        Assert.Equal(ExecutionStatus.Completed, execution.Status);
        Assert.Equal(Enumerable.Range(0, 50).Sum(), (double)execution.GetGoalResults()[0].Value!);
    }
}
