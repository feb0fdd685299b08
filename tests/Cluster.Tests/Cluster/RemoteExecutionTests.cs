using VoxScheduler.Cluster.Client;
using VoxScheduler.Dag;
using VoxScheduler.Execution;
using VoxScheduler.Scheduling;

namespace VoxScheduler.Tests.Cluster;

/// <summary>
/// <see cref="RemoteExecution"/>, the <see cref="IExecution"/> front ends show cluster executions
/// through, against the in-process cluster: events and goals as a local execution gives them,
/// cancellation, and <see cref="VoxClusterClient.ConnectAsync"/> bounded by its token.
/// </summary>
[Collection("cluster")]
[Trait("Category", "Postgres")]
public sealed class RemoteExecutionTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task It_streams_progress_then_every_goal_then_the_end_and_keeps_the_goals_with_their_values()
    {
        var b = new DagBuilder();
        var salt = b.Constant((double)Random.Shared.Next());
        var sum = b.Operation("ct.add", 1, [salt, b.Constant(2.0)]);
        b.AddGoal(new DagGoal("sum", GoalKind.Print, sum));
        b.AddGoal(new DagGoal("twice", GoalKind.Print, b.Operation("ct.add", 1, [sum, sum])));
        var dag = b.Build();
        var ns = ClusterFixture.NewNamespace("remote-execution");
        await using var store = await fixture.OpenStoreAsync(ns);
        var submitted = await fixture.Client.SubmitDagAsync(dag, new ClusterSubmitOptions { StoreNamespace = ns });
        await using var execution = new RemoteExecution(submitted, dag, new ExecutionConfig { StorageBackend = "postgres", StoragePath = ns }, "remote",
            new RemoteExecutionOptions { Store = store, PollInterval = TimeSpan.FromMilliseconds(20) });

        var events = new List<ExecutionEvent>();
        await foreach (var e in execution.WatchAsync(replay: true).WithCancellation(new CancellationTokenSource(Patience).Token)) events.Add(e);

        Assert.Equal(ExecutionStatus.Completed, await execution.Completion.WaitAsync(Patience));
        Assert.Equal(ExecutionEventKind.ExecutionFinished, events[^1].Kind);
        // Each goal once, as it finished (in the order the coordinator reported them, as a local run does).
        Assert.Equal(["sum", "twice"], events.Where(e => e.Kind == ExecutionEventKind.GoalFinished).Select(e => e.Goal!.Name).Order());
        Assert.All(events.Take(events.Count - 1), e => Assert.NotEqual(ExecutionEventKind.ExecutionFinished, e.Kind));
        var goals = execution.GetGoalResults();
        Assert.Equal([dag.Nodes[dag.Goals[0].Node].Id, dag.Nodes[dag.Goals[1].Node].Id], goals.Select(g => g.NodeId));
        var expected = (double)dag.Nodes[salt].Value! + 2;
        Assert.Equal([expected, 2 * expected], goals.Select(g => (double)g.Value!));
        Assert.All(goals, g => Assert.Equal(NodeStatus.Completed, g.Status));
        var progress = execution.GetProgress();
        Assert.Equal(ExecutionStatus.Completed, progress.Status);
        Assert.Equal(progress.TotalNodes, progress.CompletedNodes);
        Assert.Equal(progress.CompletedNodes - progress.CachedNodes, progress.ComputedNodes);
        Assert.NotNull(execution.CompletedAt);
        Assert.Equal("remote", execution.Name);
        Assert.Equal(submitted.ExecutionId, execution.ExecutionId);
        Assert.Null(execution.Error);

        // A late watcher gets the goals again and the end.
        var late = new List<ExecutionEvent>();
        await foreach (var e in execution.WatchAsync(replay: true)) late.Add(e);
        Assert.Equal([ExecutionEventKind.GoalFinished, ExecutionEventKind.GoalFinished, ExecutionEventKind.ExecutionFinished], late.Select(e => e.Kind));
        var statuses = execution.GetNodeStatuses();
        Assert.Equal(NodeStatus.Completed, statuses[dag.Goals[1].Node]);
        Assert.Equal(NodeStatus.Completed, statuses[sum]);
    }

    [Fact]
    public async Task A_finished_execution_keeps_a_compact_copy_of_its_dag_not_the_dag()
    {
        var ns = ClusterFixture.NewNamespace("remote-retained");
        await using var store = await fixture.OpenStoreAsync(ns);
        var (execution, weakDag, dagId, nodes) = await SubmitChainAsync(store, ns, 200);
        await using (execution)
        {
            Assert.Equal(ExecutionStatus.Completed, await execution.Completion.WaitAsync(Patience));
            for (var i = 0; i < 3 && weakDag.IsAlive; i++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }

            // Nothing but the execution knew the DAG: once it ended, only its compact copy is left.
            Assert.False(weakDag.IsAlive, "the finished execution still holds its DAG");
            Assert.InRange(execution.RetainedDagBytes, 1, 40L * nodes);

            // Rebuilt on demand, with the same ids: node states, goals and labels still read.
            Assert.Equal(dagId, execution.Dag.DagId);
            Assert.Equal(nodes, execution.Dag.Nodes.Count);
            Assert.Equal("last", execution.Dag.Goals.Single().Name);
            Assert.All(execution.GetNodeStatuses(), s => Assert.True(s is NodeStatus.Completed or NodeStatus.Cached, $"{s}"));
            Assert.Equal(NodeStatus.Completed, execution.GetGoalResults().Single().Status);
        }
    }

    // In its own method, so no local of the test keeps the DAG alive.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private async Task<(RemoteExecution Execution, WeakReference Dag, string DagId, int Nodes)> SubmitChainAsync(VoxScheduler.Storage.IResultStore store, string ns, int length)
    {
        var b = new DagBuilder();
        var node = b.Constant((double)Random.Shared.Next());
        for (var i = 0; i < length; i++) node = b.Operation("ct.add", 1, [node, b.Constant(1.0)]);
        b.AddGoal(new DagGoal("last", GoalKind.Print, node));
        var dag = b.Build();
        var submitted = await fixture.Client.SubmitDagAsync(dag, new ClusterSubmitOptions { StoreNamespace = ns });
        var execution = new RemoteExecution(submitted, dag, new ExecutionConfig(), null,
            new RemoteExecutionOptions { Store = store, PollInterval = TimeSpan.FromMilliseconds(20) });
        return (execution, new WeakReference(dag), dag.DagId, dag.Nodes.Count);
    }

    [Fact]
    public async Task Goals_node_events_and_node_states_come_as_they_happen_not_at_the_end()
    {
        var key = "remote-live-" + Guid.NewGuid();
        var b = new DagBuilder();
        var salt = b.Constant((double)Random.Shared.Next());
        var fast = b.Operation("ct.add", 1, [salt, b.Constant(5.0)]);
        var blocked = b.Operation("ct.block", 1, [b.Constant(3.0), b.Constant(key)]);
        b.AddGoal(new DagGoal("blocked", GoalKind.Print, blocked));
        b.AddGoal(new DagGoal("fast", GoalKind.Print, fast));
        var dag = b.Build();
        var ns = ClusterFixture.NewNamespace("remote-live");
        await using var store = await fixture.OpenStoreAsync(ns);
        var submitted = await fixture.Client.SubmitDagAsync(dag, new ClusterSubmitOptions { StoreNamespace = ns });
        await using var execution = new RemoteExecution(submitted, dag, new ExecutionConfig(), null,
            new RemoteExecutionOptions { Store = store, PollInterval = TimeSpan.FromMilliseconds(20) });
        using var timeout = new CancellationTokenSource(Patience);
        await using var watch = execution.WatchAsync(replay: true, timeout.Token).GetAsyncEnumerator(timeout.Token);

        // While "blocked" still runs: the fast goal with its value (read from the store), and the fast node's own event.
        var seen = new List<ExecutionEvent>();
        while (!seen.Any(e => e.Kind == ExecutionEventKind.GoalFinished) || !seen.Any(e => e.Kind == ExecutionEventKind.NodeFinished && e.NodeId == dag.Nodes[fast].Id))
        {
            Assert.True(await watch.MoveNextAsync());
            seen.Add(watch.Current);
        }

        await ClusterTestOps.Signal(ClusterTestOps.Started, key).Task.WaitAsync(Patience);
        Assert.False(execution.Completion.IsCompleted);
        var goal = Assert.Single(seen, e => e.Kind == ExecutionEventKind.GoalFinished).Goal!;
        Assert.Equal(("fast", 1, NodeStatus.Completed), (goal.Name, goal.Ordinal, goal.Status));
        Assert.Equal((double)dag.Nodes[salt].Value! + 5, (double)goal.Value!);
        var node = seen.First(e => e.Kind == ExecutionEventKind.NodeFinished && e.NodeId == dag.Nodes[fast].Id);
        Assert.Equal(("ct.add", NodeStatus.Completed), (node.Operator, node.NodeStatus));
        var goals = execution.GetGoalResults();
        Assert.Equal([NodeStatus.Pending, NodeStatus.Completed], goals.Select(g => g.Status));
        var running = execution.GetNodeStatuses();
        Assert.Equal(NodeStatus.Completed, running[fast]);
        Assert.Equal(NodeStatus.Running, running[blocked]);

        execution.Cancel();
        Assert.Equal(ExecutionStatus.Cancelled, await execution.Completion.WaitAsync(Patience));
        var rest = new List<ExecutionEvent>();
        while (await watch.MoveNextAsync()) rest.Add(watch.Current);
        Assert.Equal(ExecutionEventKind.ExecutionFinished, rest[^1].Kind);
        // Each goal is announced once: the blocked one at its end.
        Assert.Equal(["blocked"], rest.Where(e => e.Kind == ExecutionEventKind.GoalFinished).Select(e => e.Goal!.Name));
        Assert.Equal(NodeStatus.Cancelled, execution.GetNodeStatuses()[blocked]);
        Assert.Equal(NodeStatus.Completed, execution.GetNodeStatuses()[fast]);
    }

    [Fact]
    public async Task Cancel_reaches_the_coordinator_and_the_execution_ends_cancelled()
    {
        var key = "remote-block-" + Guid.NewGuid();
        var b = new DagBuilder();
        b.AddGoal(new DagGoal("blocked", GoalKind.Print, b.Operation("ct.block", 1, [b.Constant(1.0), b.Constant(key)])));
        var dag = b.Build();
        var ns = ClusterFixture.NewNamespace("remote-cancel");
        var submitted = await fixture.Client.SubmitDagAsync(dag, new ClusterSubmitOptions { StoreNamespace = ns });
        await using var execution = new RemoteExecution(submitted, dag, new ExecutionConfig(), name: null);

        await ClusterTestOps.Signal(ClusterTestOps.Started, key).Task.WaitAsync(Patience);
        Assert.False(execution.Completion.IsCompleted);
        execution.Cancel();

        Assert.Equal(ExecutionStatus.Cancelled, await execution.Completion.WaitAsync(Patience));
        Assert.Equal(NodeStatus.Cancelled, execution.GetGoalResults()[0].Status);
    }

    [Fact]
    public async Task Disposing_stops_following_and_ends_it_here_as_interrupted_saying_why()
    {
        var key = "remote-dispose-" + Guid.NewGuid();
        var b = new DagBuilder();
        b.AddGoal(new DagGoal("blocked", GoalKind.Print, b.Operation("ct.block", 1, [b.Constant(2.0), b.Constant(key)])));
        var dag = b.Build();
        var submitted = await fixture.Client.SubmitDagAsync(dag, new ClusterSubmitOptions { StoreNamespace = ClusterFixture.NewNamespace("remote-dispose") });
        var execution = new RemoteExecution(submitted, dag, new ExecutionConfig(), name: null);
        await ClusterTestOps.Signal(ClusterTestOps.Started, key).Task.WaitAsync(Patience);

        await execution.DisposeAsync();

        Assert.Equal(ExecutionStatus.Interrupted, await execution.Completion.WaitAsync(Patience));
        Assert.Equal(NodeStatus.Interrupted, execution.GetGoalResults()[0].Status);
        Assert.Contains("stopped following", execution.GetGoalResults()[0].Error, StringComparison.Ordinal);
        Assert.Contains("stopped following", execution.Error, StringComparison.Ordinal);
        await submitted.CancelAsync(); // the cluster still ran it
    }

    [Fact]
    public async Task A_failed_execution_says_what_went_wrong_as_the_coordinator_reported_it()
    {
        var message = "disk on fire " + Guid.NewGuid();
        var b = new DagBuilder();
        b.AddGoal(new DagGoal("bad", GoalKind.Print, b.Operation("ct.add", 1, [b.Operation("test.fail", 1, [b.Constant(message)]), b.Constant(1.0)])));
        var dag = b.Build();
        var submitted = await fixture.Client.SubmitDagAsync(dag, new ClusterSubmitOptions { StoreNamespace = ClusterFixture.NewNamespace("remote-fail") });
        await using var execution = new RemoteExecution(submitted, dag, new ExecutionConfig(), name: null,
            new RemoteExecutionOptions { PollInterval = TimeSpan.FromMilliseconds(20) });

        Assert.Equal(ExecutionStatus.Failed, await execution.Completion.WaitAsync(Patience));
        Assert.Contains(message, execution.Error, StringComparison.Ordinal);
        var finished = new List<ExecutionEvent>();
        await foreach (var e in execution.WatchAsync(replay: true).WithCancellation(new CancellationTokenSource(Patience).Token)) finished.Add(e);
        Assert.Contains(message, finished[^1].Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connecting_to_a_cluster_no_gateway_answers_for_ends_by_the_token_at_the_latest()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // a port nothing listens on
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));

        var clock = System.Diagnostics.Stopwatch.StartNew();
        // Orleans may give up on its own (connection refused) or keep looking; either way the call ends, by the token at the latest.
        await Assert.ThrowsAnyAsync<Exception>(() =>
            VoxClusterClient.ConnectAsync(new ClusterConnectionOptions { ClusterId = "nobody-" + Guid.NewGuid().ToString("N"), GatewayPorts = [port] }, timeout.Token));
        Assert.True(clock.Elapsed < Patience, $"took {clock.Elapsed}");
    }
}
