using VoxScheduler.Cluster.Coordinator;
using VoxScheduler.Cluster.Grains;
using VoxScheduler.Dag;
using VoxScheduler.Execution;
using VoxScheduler.Operations;
using VoxScheduler.Operations.Builtins;
using VoxScheduler.Scheduling;

namespace VoxScheduler.Tests.Cluster;

/// <summary>
/// The coordinator's per-execution event log (what a cluster client's polls read), over a real
/// local execution: node events kept in a bounded ring whose oldest entries a late reader is told
/// it lost, handed out only to a reader that asks for them, batches of at most
/// <see cref="ExecutionEventLog.MaxBatch"/>, and every goal kept without its value.
/// </summary>
public sealed class ExecutionEventLogTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Node_events_stay_within_the_ring_a_late_reader_is_told_what_it_lost_and_goals_carry_no_value()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var registry = BuiltinOperations.CreateRegistry();
        registry.Register(Operation.CreateAsync("t.gate", 1, 1, async c =>
        {
            await gate.Task.WaitAsync(c.CancellationToken);
            return OperationResult.FromValue(c[0]);
        }), replace: true);
        registry.Register(Operation.Create("t.inc", 2, 2, c => c.Number(0) + c.Number(1)), replace: true);
        const int Width = 100;
        var b = new DagBuilder();
        var start = b.Operation("t.gate", 1, [b.Constant(1.0)]);
        var sums = new List<int>();
        // A chain, so every node is needed by the goals.
        for (var i = 0; i < Width; i++) sums.Add(b.Operation("t.inc", 1, [i == 0 ? start : sums[^1], b.Constant((double)i)]));
        b.AddGoal(new DagGoal("first", GoalKind.Print, sums[0]));
        b.AddGoal(new DagGoal("last", GoalKind.Print, sums[^1]));
        var dag = b.Build();
        await using var scheduler = new DynamicScheduler(registry);
        var execution = await scheduler.SubmitAsync(dag, new ExecutionConfig { StorageBackend = "none" });

        const int Capacity = 16;
        var log = new ExecutionEventLog(execution, Capacity);
        gate.SetResult();
        await execution.Completion.WaitAsync(Patience);
        await log.Pump.WaitAsync(Patience);

        Assert.True(log.Ended);
        Assert.True(log.LastNode >= Width + 1, $"{log.LastNode} node events"); // the gate and every sum finished after the subscription
        var update = new ExecutionUpdate();
        log.Read(0, 0, nodes: true, update);
        // Only the newest Capacity events are kept: the reader is told how many it lost and gets the rest, in order.
        Assert.Equal(log.LastNode - Capacity, update.DroppedNodes);
        Assert.Equal(Capacity, update.Nodes.Length);
        Assert.Equal(Enumerable.Range(0, Capacity).Select(i => log.LastNode - Capacity + 1 + i), update.Nodes.Select(n => n.Sequence));
        Assert.Equal(log.LastNode, update.NodeCursor);
        Assert.All(update.Nodes, n => Assert.Equal((int)NodeStatus.Completed, n.Status));
        Assert.Contains(update.Nodes, n => NodeId.FromBytes(n.NodeId) == dag.Nodes[sums[^1]].Id || n.Operator == "t.inc");
        Assert.False(update.More);
        Assert.Equal(["first", "last"], update.Goals.Select(g => g.Name).Order());
        Assert.All(update.Goals, g => Assert.Null(g.Value));
        Assert.Equal([0, 1], update.Goals.Select(g => g.Ordinal).Order());
        Assert.Equal(2, update.GoalCursor);

        // Read again from where it stopped: nothing new.
        var again = new ExecutionUpdate();
        log.Read(update.NodeCursor, update.GoalCursor, nodes: true, again);
        Assert.Empty(again.Nodes);
        Assert.Empty(again.Goals);
        Assert.Equal(0, again.DroppedNodes);
    }

    [Fact]
    public async Task A_reader_that_does_not_ask_for_node_events_gets_the_goals_only_and_keeps_its_node_cursor()
    {
        var registry = BuiltinOperations.CreateRegistry();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        registry.Register(Operation.CreateAsync("t.gate", 1, 1, async c =>
        {
            await gate.Task.WaitAsync(c.CancellationToken);
            return OperationResult.FromValue(c[0]);
        }), replace: true);
        var b = new DagBuilder();
        b.AddGoal(new DagGoal("g", GoalKind.Print, b.Operation("t.gate", 1, [b.Constant(3.0)])));
        await using var scheduler = new DynamicScheduler(registry);
        var execution = await scheduler.SubmitAsync(b.Build(), new ExecutionConfig { StorageBackend = "none" });
        var log = new ExecutionEventLog(execution);
        gate.SetResult();
        await log.Pump.WaitAsync(Patience);

        Assert.True(log.LastNode >= 1);
        var update = new ExecutionUpdate();
        log.Read(0, 0, nodes: false, update);
        Assert.Single(update.Goals);
        Assert.Empty(update.Nodes);
        Assert.Equal(0, update.NodeCursor);
        Assert.Equal(0, update.DroppedNodes);
        // Asked later (a watcher came): from its cursor, so it still gets them.
        var later = new ExecutionUpdate();
        log.Read(update.NodeCursor, update.GoalCursor, nodes: true, later);
        Assert.Equal(log.LastNode, later.Nodes.Length);
        Assert.Empty(later.Goals);
    }
}
