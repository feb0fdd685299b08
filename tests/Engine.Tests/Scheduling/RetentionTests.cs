using VoxScheduler.Dag;
using VoxScheduler.Execution;
using VoxScheduler.Hosting;
using VoxScheduler.Operations;
using VoxScheduler.Operations.Builtins;
using VoxScheduler.Scheduling;
using VoxScheduler.Tests.Storage;

namespace VoxScheduler.Tests.Scheduling;

/// <summary>Finished executions are kept within a byte budget as well as a count (issue 14, item 2).</summary>
public sealed class RetentionTests
{
    [Fact]
    public async Task FinishedExecutionsPastTheByteBudgetAreForgottenOldestFirst()
    {
        // Each run: a DAG of about 300 nodes (about 77 KB by the estimate) and a string goal of about 90,000 characters.
        var options = new SchedulerOptions { RetainFinishedExecutions = 100, RetainFinishedBytes = 400_000 };
        await using var scheduler = new DynamicScheduler(BuiltinOperations.CreateRegistry(), options);
        var integration = new VoxLogicaIntegration(scheduler);
        var ids = new List<string>();
        for (var run = 0; run < 6; run++)
        {
            var program = $"n = length([1])\nprint \"big\" strings.join(range({run}, n * 20000), \"\")\nprint \"n\" length(for i in range(0, 100) do i * {run + 2})";
            var result = await integration.ExecuteProgramAsync(program, config: new ExecutionConfig { StorageBackend = "none" });
            Assert.Equal(ExecutionStatus.Completed, result.Status);
            ids.Add(result.ExecutionId);
        }

        var kept = ids.Where(id => scheduler.Find(id) is not null).ToList();
        Assert.NotEmpty(kept);
        Assert.True(kept.Count < ids.Count, $"all {ids.Count} runs kept");
        Assert.Equal(ids[^kept.Count..], kept); // the newest ones, oldest forgotten first
        Assert.True(kept.Sum(id => DynamicScheduler.RetainedBytes(scheduler.Find(id)!)) <= 400_000 || kept.Count == 1);

        // Without a byte budget the count alone bounds them, as before.
        await using var unbounded = new DynamicScheduler(BuiltinOperations.CreateRegistry(), new SchedulerOptions { RetainFinishedExecutions = 100 });
        var integration2 = new VoxLogicaIntegration(unbounded);
        for (var run = 0; run < 3; run++)
            await integration2.ExecuteProgramAsync($"n = length([1])\nprint \"big\" strings.join(range({run}, n * 20000), \"\")", config: new ExecutionConfig { StorageBackend = "none" });
        Assert.Equal(3, unbounded.ListExecutions().Count);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("hybrid")]
    public async Task A_finished_execution_lets_go_of_its_plan_and_still_answers_for_its_results(string backend)
    {
        using var work = new TempFolder();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var registry = BuiltinOperations.CreateRegistry();
        registry.Register(Operation.CreateAsync("t.held", 1, 1, async c =>
        {
            started.TrySetResult();
            await gate.Task.WaitAsync(c.CancellationToken);
            return OperationResult.FromValue(c.Number(0) * 2);
        }));
        await using var scheduler = new DynamicScheduler(registry);
        int Revision(string name) => registry.TryGet(name, out var op) ? op.Revision : throw new InvalidOperationException(name);
        var b = new DagBuilder();
        var held = b.Operation("t.held", 1, [b.Constant(20.0)]);
        var sum = b.Operation("default.add", Revision("default.add"), [held, b.Constant(2.0)]);
        var range = b.Operation("default.range", Revision("default.range"), [b.Constant(0.0), b.Constant(50.0)]);
        var words = b.Operation("strings.join", Revision("strings.join"), [range, b.Constant(",")]);
        b.AddGoal(new DagGoal("sum", GoalKind.Print, sum));
        b.AddGoal(new DagGoal("words", GoalKind.Print, words));
        b.TryLabel("doubled", held);
        var config = new ExecutionConfig { StorageBackend = backend, StoragePath = work.Combine("store"), MaxRetries = 0 };
        var (execution, ids, dagId) = await SubmitAsync(scheduler, b, config);

        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var plan = Weakly(execution);
        var dag = WeaklyDag(execution);
        gate.SetResult();
        Assert.Equal(ExecutionStatus.Completed, await execution.Completion.WaitAsync(TimeSpan.FromSeconds(30)));

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.False(plan.IsAlive, "the finished execution still holds its plan");
        Assert.False(dag.IsAlive, "the finished execution still holds its DAG");
        Assert.Equal(dagId, execution.DagId);
        Assert.True(execution.RetainedDagBytes < ids.Length * 40L, $"{execution.RetainedDagBytes} bytes kept for {ids.Length} nodes");

        // Asked for, the DAG is rebuilt from the compact copy: the same nodes, ids, goals and labels.
        var rebuilt = execution.Dag;
        Assert.Equal(dagId, rebuilt.DagId);
        Assert.Equal(ids, rebuilt.Nodes.Select(n => n.Id).ToArray());
        Assert.Equal(["sum", "words"], rebuilt.Goals.Select(g => g.Name));
        Assert.Equal(held, rebuilt.Labels["doubled"]);

        // What readers of a finished execution need is still there: status, progress, goals, node states.
        var found = Assert.IsAssignableFrom<IExecution>(scheduler.Find(execution.ExecutionId));
        Assert.Equal(ExecutionStatus.Completed, found.Status);
        var progress = found.GetProgress();
        Assert.Equal(100, progress.ProgressPercentage, 3);
        Assert.Equal(0, progress.FailedNodes);
        var goals = found.GetGoalResults().ToDictionary(g => g.Name);
        Assert.Equal(42.0, goals["sum"].Value);
        Assert.Equal(string.Join(",", Enumerable.Range(0, 50)), goals["words"].Value);
        var statuses = found.GetNodeStatuses();
        Assert.Equal(found.Dag.Nodes.Count, statuses.Count);
        Assert.Equal(NodeStatus.Completed, statuses[held]);
        Assert.Equal(NodeStatus.Completed, statuses[sum]);
        Assert.DoesNotContain(statuses, s => s is NodeStatus.Pending or NodeStatus.Running or NodeStatus.Ready);
    }

    [Fact]
    public async Task An_execution_cancelled_while_a_node_waits_for_its_retry_lets_go_of_its_plan_and_dag()
    {
        // Before: the retry wait was still counted after the finish disposed its timer, so the plan was kept for good.
        var failed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var registry = BuiltinOperations.CreateRegistry();
        registry.Register(Operation.Create("t.fails", 1, 1, c =>
        {
            failed.TrySetResult();
            throw new InvalidOperationException("not yet");
        }));
        await using var scheduler = new DynamicScheduler(registry);
        var b = new DagBuilder();
        b.AddGoal(new DagGoal("f", GoalKind.Print, b.Operation("t.fails", 1, [b.Constant(1.0)])));
        var config = new ExecutionConfig { StorageBackend = "none", RetryPolicy = new RetryPolicy { MaxRetries = 3, BaseDelay = TimeSpan.FromHours(1), MaxDelay = TimeSpan.FromHours(1) } };
        var (execution, _, _) = await SubmitAsync(scheduler, b, config);
        await failed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        // Failed once: from running back to pending, waiting out its hour-long retry delay.
        await WaitUntilAsync(() => execution.GetNodeStatuses().Contains(NodeStatus.Pending));
        var plan = Weakly(execution);
        var dag = WeaklyDag(execution);

        execution.Cancel();
        Assert.Equal(ExecutionStatus.Cancelled, await execution.Completion.WaitAsync(TimeSpan.FromSeconds(30)));
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.False(plan.IsAlive, "the cancelled execution still holds its plan");
        Assert.False(dag.IsAlive, "the cancelled execution still holds its DAG");
        Assert.Equal(NodeStatus.Cancelled, Assert.Single(execution.GetGoalResults()).Status);
    }

    [Fact]
    public async Task An_execution_cancelled_while_waiting_on_a_node_another_computes_lets_go_of_its_plan_when_that_node_ends()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var registry = BuiltinOperations.CreateRegistry();
        registry.Register(Operation.CreateAsync("t.shared", 1, 1, async c =>
        {
            started.TrySetResult();
            await gate.Task; // not cancellable: the first execution finishes it whatever happens to the second
            return OperationResult.FromValue(c.Number(0) + 1);
        }));
        await using var scheduler = new DynamicScheduler(registry);
        DagBuilder Dag()
        {
            var b = new DagBuilder();
            b.AddGoal(new DagGoal("s", GoalKind.Print, b.Operation("t.shared", 1, [b.Constant(41.0)])));
            return b;
        }

        var config = new ExecutionConfig { StorageBackend = "none", MaxRetries = 0 };
        var (first, _, _) = await SubmitAsync(scheduler, Dag(), config);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var (second, _, _) = await SubmitAsync(scheduler, Dag(), config);
        await WaitUntilAsync(() => second.GetNodeStatuses().Contains(NodeStatus.Pending) && second.Status == ExecutionStatus.Running);
        var plan = Weakly(second);
        var dag = WeaklyDag(second);

        second.Cancel();
        Assert.Equal(ExecutionStatus.Cancelled, await second.Completion.WaitAsync(TimeSpan.FromSeconds(30)));
        gate.SetResult();
        Assert.Equal(ExecutionStatus.Completed, await first.Completion.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(42.0, Assert.Single(first.GetGoalResults()).Value);
        await WaitUntilAsync(() =>
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            return !plan.IsAlive && !dag.IsAlive;
        });
    }

    // Waits for a condition the engine reaches by itself (no sleep standing in for a signal): polled with a deadline.
    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within 30 s");
            await Task.Delay(20);
        }
    }

    // Builds and submits in its own method, so no local of the test keeps the DAG alive; returns what the test compares with.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static async Task<(ScheduledExecution Execution, NodeId[] Ids, string DagId)> SubmitAsync(DynamicScheduler scheduler, DagBuilder builder, ExecutionConfig config)
    {
        var dag = builder.Build();
        var execution = (ScheduledExecution)await scheduler.SubmitAsync(dag, config);
        return (execution, dag.Nodes.Select(n => n.Id).ToArray(), dag.DagId);
    }

    // In its own method, so no local of the test keeps the plan alive.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static WeakReference Weakly(ScheduledExecution execution) => new(execution.Plan);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static WeakReference WeaklyDag(ScheduledExecution execution) => new(execution.Dag);
}
