using VoxScheduler.Dag;
using VoxScheduler.Execution;
using VoxScheduler.Operations;
using VoxScheduler.Scheduling;
using VoxScheduler.Storage;
using VoxScheduler.Tests.Support;

namespace VoxScheduler.Tests.Scheduling;

/// <summary>
/// Issue 14 item 16: what an execution reports about its nodes is the specification's:
/// memory_usage_bytes reaches events, goal results and progress; completed_nodes counts every
/// node done (a run served from the store completes all of them) beside computed and cached;
/// a DAG's results include those it reused from the store; created_at is the first store time.
/// </summary>
public sealed class ResultMetadataTests : IDisposable
{
    private const int Allocation = 4 * 1024 * 1024;
    private readonly TempFolder _folder = new("vox-metadata");

    public void Dispose() => _folder.Dispose();

    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private OperationRegistry Registry()
    {
        var registry = new OperationRegistry();
        var gate = _gate;
        registry.Register(Operation.CreateAsync("m.gate", 1, 1, async c =>
        {
            await gate.Task;
            return c.Number(0);
        }));
        registry.Register(Operation.Create("m.alloc", 1, 1, c =>
        {
            // Allocates Allocation bytes on the worker's thread and keeps them alive until it returns.
            var block = new byte[Allocation];
            block[^1] = 1;
            return c.Number(0) + block[^1];
        }));
        registry.Register(Operation.Create("m.add", 2, 2, c => c.Number(0) + c.Number(1)));
        return registry;
    }

    private ExecutionConfig Store(string backend = "sqlite") => new() { StorageBackend = backend, StoragePath = _folder.Combine(backend) };

    [Fact]
    public async Task Allocated_bytes_reach_node_events_goal_results_and_progress()
    {
        await using var scheduler = new DynamicScheduler(Registry());
        var b = new DagBuilder();
        b.AddGoal(new DagGoal("a", GoalKind.Print, b.Operation("m.alloc", 1, [b.Operation("m.gate", 1, [b.Constant(1.0)])])));
        var execution = await scheduler.SubmitAsync(b.Build(), Store());
        var finished = new List<ExecutionEvent>();
        await using var events = execution.WatchAsync().GetAsyncEnumerator();
        var next = events.MoveNextAsync(); // subscribed before the gate opens
        _gate.SetResult();
        while (await next.AsTask().WaitAsync(TimeSpan.FromSeconds(60)))
        {
            if (events.Current.Kind == ExecutionEventKind.NodeFinished) finished.Add(events.Current);
            if (events.Current.Kind == ExecutionEventKind.ExecutionFinished) break;
            next = events.MoveNextAsync();
        }

        Assert.Equal(ExecutionStatus.Completed, await execution.Completion.WaitAsync(TimeSpan.FromSeconds(60)));
        var computed = Assert.Single(finished, e => e.Operator == "m.alloc");
        Assert.True(computed.AllocatedBytes >= Allocation, $"event: {computed.AllocatedBytes}");
        var goal = execution.GetGoalResults()[0];
        Assert.True(goal.AllocatedBytes >= Allocation, $"goal: {goal.AllocatedBytes}");
        Assert.True(execution.GetProgress().AllocatedBytes >= Allocation, $"progress: {execution.GetProgress().AllocatedBytes}");

        // Served from the store the second time: nothing computed, nothing allocated for it.
        var again = await TestOps.RunAsync(scheduler, b.Build(), Store());
        Assert.Equal(NodeStatus.Cached, again.GetGoalResults()[0].Status);
        Assert.Equal(0, again.GetGoalResults()[0].AllocatedBytes);
        Assert.Equal(0, again.GetProgress().AllocatedBytes);
    }

    [Fact]
    public async Task A_run_served_from_the_store_completes_every_node_and_says_none_was_computed()
    {
        _gate.SetResult();
        await using var scheduler = new DynamicScheduler(Registry());
        var b = new DagBuilder();
        var sum = b.Operation("m.add", 1, [b.Operation("m.add", 1, [b.Constant(1.0), b.Constant(2.0)]), b.Constant(3.0)]);
        b.AddGoal(new DagGoal("sum", GoalKind.Print, sum));
        var first = await TestOps.RunAsync(scheduler, b.Build(), Store());
        var p1 = first.GetProgress();
        Assert.Equal(p1.TotalNodes, p1.CompletedNodes);
        Assert.Equal(p1.CompletedNodes, p1.ComputedNodes + p1.CachedNodes);
        Assert.True(p1.ComputedNodes >= 2);

        var second = await TestOps.RunAsync(scheduler, b.Build(), Store());
        var p2 = second.GetProgress();
        Assert.Equal(100, p2.ProgressPercentage);
        Assert.True(p2.TotalNodes > 0);
        Assert.Equal(p2.TotalNodes, p2.CompletedNodes); // before: 0 completed at 100%
        Assert.Equal(0, p2.ComputedNodes);
        Assert.Equal(p2.CompletedNodes, p2.CachedNodes);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("hybrid")]
    [InlineData("filesystem")]
    public async Task Listing_a_dag_s_results_includes_those_it_reused_from_the_store(string backend)
    {
        await using var scheduler = new DynamicScheduler(Registry());
        // DAG A computes 1 + 2; DAG B (another DAG) prints the same node and computes 3 + 4.
        var a = new DagBuilder();
        var shared = a.Operation("m.add", 1, [a.Constant(1.0), a.Constant(2.0)]);
        a.AddGoal(new DagGoal("shared", GoalKind.Print, shared));
        var dagA = a.Build();
        Assert.Equal(ExecutionStatus.Completed, (await TestOps.RunAsync(scheduler, dagA, Store(backend))).Status);

        var bb = new DagBuilder();
        var again = bb.Operation("m.add", 1, [bb.Constant(1.0), bb.Constant(2.0)]);
        var own = bb.Operation("m.add", 1, [bb.Constant(3.0), bb.Constant(4.0)]);
        bb.AddGoal(new DagGoal("shared", GoalKind.Print, again));
        bb.AddGoal(new DagGoal("own", GoalKind.Print, own));
        var dagB = bb.Build();
        Assert.NotEqual(dagA.DagId, dagB.DagId);
        var execution = await TestOps.RunAsync(scheduler, dagB, Store(backend));
        Assert.Equal(NodeStatus.Cached, execution.GetGoalResults().Single(g => g.Name == "shared").Status);
        await execution.Store!.FlushAsync();

        var listed = await execution.Store.ListAsync(new ResultQuery(DagId: dagB.DagId)).Select(m => m.NodeId).ToListAsync();
        Assert.Contains(dagB.Nodes[own].Id, listed);
        Assert.Contains(dagB.Nodes[again].Id, listed); // reused: before, only what B computed itself was listed
        Assert.Equal(listed.Count, listed.Distinct().Count());
        // A's listing is unchanged by B's reuse, and B's own result is not A's.
        var ofA = await execution.Store.ListAsync(new ResultQuery(DagId: dagA.DagId)).Select(m => m.NodeId).ToListAsync();
        Assert.Contains(dagA.Nodes[shared].Id, ofA);
        Assert.DoesNotContain(dagB.Nodes[own].Id, ofA);
    }

    [Fact]
    public async Task Created_at_is_when_a_result_was_first_stored_and_a_rerun_keeps_it()
    {
        await using var scheduler = new DynamicScheduler(Registry());
        var b = new DagBuilder();
        var node = b.Operation("m.add", 1, [b.Constant(5.0), b.Constant(6.0)]);
        b.AddGoal(new DagGoal("x", GoalKind.Print, node));
        var dag = b.Build();
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var first = await TestOps.RunAsync(scheduler, dag, Store());
        await first.Store!.FlushAsync();
        var after = DateTimeOffset.UtcNow.AddSeconds(1);
        var created = (await first.Store.GetMetadataAsync(dag.Nodes[node].Id))!.CreatedAt;
        Assert.InRange(created, before, after);
        var second = await TestOps.RunAsync(scheduler, dag, Store());
        Assert.Equal(created, (await second.Store!.GetMetadataAsync(dag.Nodes[node].Id))!.CreatedAt);
    }
}
