using VoxScheduler.Dag;
using VoxScheduler.Execution;
using VoxScheduler.Operations;
using VoxScheduler.Scheduling;

namespace VoxScheduler.Tests.Scheduling;

public sealed class ExpansionTests
{
    private int _created;
    private int _createdAtFirstItem = -1;
    private int _itemRuns;

    private OperationRegistry Registry(int chunk)
    {
        var registry = new OperationRegistry();
        registry.Register(Operation.Create("x.add", 0, -1, c =>
        {
            double sum = 0;
            for (var i = 0; i < c.Count; i++) sum += c.Number(i);
            return sum;
        }));
        registry.Register(Operation.Create("x.item", 1, 1, c =>
        {
            if (Interlocked.Increment(ref _itemRuns) == 1) _createdAtFirstItem = Volatile.Read(ref _created);
            return c.Number(0);
        }));
        // sumrange(start, end): a loop over [start, end) that unfolds one chunk at a time: the
        // first chunk becomes item nodes, the rest becomes another sumrange node (expanded later).
        registry.Register(Operation.Create("x.sumrange", 2, 2, c =>
        {
            var start = (long)c.Number(0);
            var end = (long)c.Number(1);
            var b = new DagBuilder();
            var stop = Math.Min(end, start + chunk);
            var items = new List<int>();
            for (var i = start; i < stop; i++) items.Add(b.Operation("x.item", 1, [b.Constant((double)i)]));
            Interlocked.Add(ref _created, items.Count);
            if (stop < end) items.Add(b.Operation("x.sumrange", 1, [b.Constant((double)stop), b.Constant((double)end)]));
            var root = b.Operation("x.add", 1, items.ToArray());
            return OperationResult.Expand(b.Build(), root);
        }));
        // scale(x, k): expands into x * k additions of x, referring to its argument as an External node.
        registry.Register(Operation.Create("x.scale", 2, 2, c =>
        {
            var b = new DagBuilder();
            var input = b.External(c.NodeId == default ? default : ArgumentId(c));
            var terms = Enumerable.Repeat(input, (int)c.Number(1)).ToArray();
            return OperationResult.Expand(b.Build(), b.Operation("x.add", 1, terms));
        }));
        return registry;
    }

    private NodeId _scaleArgument;

    private NodeId ArgumentId(OperationContext _) => _scaleArgument;

    [Fact]
    public async Task An_expanded_node_takes_the_value_of_its_fragment_root_and_externals_resolve_to_plan_nodes()
    {
        await using var scheduler = new DynamicScheduler(Registry(10));
        var b = new DagBuilder();
        var x = b.Operation("x.add", 1, [b.Constant(2.0), b.Constant(5.0)]);
        _scaleArgument = b[x].Id;
        var scaled = b.Operation("x.scale", 1, [x, b.Constant(3.0)]);
        var plusOne = b.Operation("x.add", 1, [scaled, b.Constant(1.0)]);
        b.AddGoal(new DagGoal("scaled", GoalKind.Print, scaled));
        b.AddGoal(new DagGoal("plusOne", GoalKind.Print, plusOne));
        var execution = await TestOps.RunAsync(scheduler, b.Build());

        Assert.True(execution.Status == ExecutionStatus.Completed, string.Join("; ", execution.GetGoalResults().Select(g => g.Error)));
        Assert.Equal(21.0, execution.GetGoalResults()[0].Value);
        Assert.Equal(22.0, execution.GetGoalResults()[1].Value);
    }

    [Fact]
    public async Task A_loop_of_100k_items_unfolds_incrementally_and_sums_correctly()
    {
        const int n = 100_000;
        await using var scheduler = new DynamicScheduler(Registry(1000));
        var b = new DagBuilder();
        var loop = b.Operation("x.sumrange", 1, [b.Constant(0.0), b.Constant((double)n)]);
        b.AddGoal(new DagGoal("sum", GoalKind.Print, loop));
        var execution = await scheduler.SubmitAsync(b.Build(), TestOps.Memory(2));
        Assert.Equal(ExecutionStatus.Completed, await execution.Completion.WaitAsync(TimeSpan.FromSeconds(60)));

        Assert.Equal((double)n * (n - 1) / 2, execution.GetGoalResults()[0].Value);
        Assert.Equal(n, _itemRuns);
        // When the first item ran, only the first chunk had been created, not the whole loop.
        Assert.InRange(_createdAtFirstItem, 1, 1000);
        Assert.True(execution.GetProgress().TotalNodes > n);
    }

    [Fact]
    public async Task Expansions_prepared_at_the_same_time_cannot_take_the_plan_past_the_node_budget_together()
    {
        // Four nodes each expand into 500 new nodes at the same moment (a barrier), so all four are
        // prepared against the same plan; the budget has room for two of them. Each passed the
        // preparer's check alone, and the plan grew to about 2,000 nodes before the check under the lock.
        const int expanders = 4, fragment = 500;
        using var together = new Barrier(expanders);
        var registry = Registry(10);
        registry.Register(Operation.Create("x.wide", 1, 1, c =>
        {
            together.SignalAndWait(TimeSpan.FromSeconds(10));
            var b = new DagBuilder();
            var seed = c.Number(0);
            var items = new int[fragment];
            for (var i = 0; i < fragment; i++) items[i] = b.Operation("x.item", 1, [b.Constant(seed * fragment + i)]);
            return OperationResult.Expand(b.Build(), b.Operation("x.add", 1, items));
        }));
        await using var scheduler = new DynamicScheduler(registry);
        var d = new DagBuilder();
        for (var k = 0; k < expanders; k++) d.AddGoal(new DagGoal($"wide{k}", GoalKind.Print, d.Operation("x.wide", 1, [d.Constant((double)k)])));
        var dag = d.Build();
        var budget = dag.Nodes.Count + 2 * (2 * fragment + 1) + 10;
        var execution = await TestOps.RunAsync(scheduler, dag, TestOps.Memory(expanders) with { MaxNodes = budget });

        Assert.Equal(ExecutionStatus.Failed, execution.Status);
        Assert.InRange(execution.GetProgress().TotalNodes, dag.Nodes.Count, budget);
        var failed = execution.GetGoalResults().Where(g => g.Status == NodeStatus.Failed).ToList();
        Assert.NotEmpty(failed);
        Assert.All(failed, g => Assert.Contains($"max_execution_nodes = {budget}", g.Error));
        Assert.Contains(execution.GetGoalResults(), g => g.Status == NodeStatus.Completed);
    }

    [Fact]
    public async Task A_fragment_with_an_unknown_operation_fails_the_expanding_node_with_a_validation_error()
    {
        var registry = new OperationRegistry();
        registry.Register(Operation.Create("x.bad", 0, 0, _ =>
        {
            var b = new DagBuilder();
            return OperationResult.Expand(b.Build(), b.Operation("nope.missing", 1, []));
        }));
        await using var scheduler = new DynamicScheduler(registry);
        var d = new DagBuilder();
        d.AddGoal(new DagGoal("bad", GoalKind.Print, d.Operation("x.bad", 1, [])));
        var execution = await TestOps.RunAsync(scheduler, d.Build(), TestOps.Memory() with { MaxRetries = 3 });
        Assert.Equal(ExecutionStatus.Failed, execution.Status);
        Assert.Contains("nope.missing", execution.GetGoalResults()[0].Error);
    }
}
