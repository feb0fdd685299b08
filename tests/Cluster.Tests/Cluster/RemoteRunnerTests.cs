using VoxScheduler.Cluster.Client;
using VoxScheduler.Cluster.Coordinator;
using VoxScheduler.Cluster.Grains;
using VoxScheduler.Dag;
using VoxScheduler.Execution;
using VoxScheduler.Hosting;
using VoxScheduler.Operations.Builtins;
using VoxScheduler.Scheduling;
using VoxScheduler.Values;

namespace VoxScheduler.Tests.Cluster;

/// <summary>
/// The remote node runner against an in-process cluster of three silos and a real PostgreSQL:
/// values and node ids as in a local run, failures, retries, cancellation reaching a running
/// grain call, the slot limit measured by the grains, progress, and nodes on every silo.
/// </summary>
[Collection("cluster")]
[Trait("Category", "Postgres")]
public sealed class RemoteRunnerTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private const string Program = """
        let f0 = 1
        let f1 = 1
        let f2 = f1 + f0
        let f3 = f2 + f1
        let f4 = f3 + f2
        let f5 = f4 + f3
        let f6 = f5 + f4
        let twice(x) = x * 2
        print "fib6" f6
        print "twice" twice(f6) - f2
        print "text" "abc" + "def"
        print "compare" f6 > f5
        """;

    private VoxClusterClient Client => fixture.Client;

    [Fact]
    public async Task A_program_gives_the_values_and_node_ids_of_a_local_run_and_its_results_are_in_the_store()
    {
        await using var local = new DynamicScheduler(BuiltinOperations.CreateRegistry());
        var expected = await new VoxLogicaIntegration(local).ExecuteProgramAsync(Program, config: new ExecutionConfig { StorageBackend = "none" });
        Assert.Equal(ExecutionStatus.Completed, expected.Status);

        var ns = ClusterFixture.NewNamespace("program");
        var execution = await Client.SubmitProgramAsync(Program, new ClusterSubmitOptions { StoreNamespace = ns });
        var result = await execution.WaitAsync().WaitAsync(Patience);

        Assert.Equal(ExecutionStatus.Completed, result.Status);
        Assert.Equal(execution.ExecutionId, result.ExecutionId);
        Assert.Equal(expected.Goals.Select(g => (g.Name, g.NodeId)), result.Goals.Select(g => (g.Name, g.NodeId)));
        await using var store = await fixture.OpenStoreAsync(ns);
        foreach (var goal in result.Goals)
        {
            Assert.True(goal.Succeeded, $"{goal.Name}: {goal.Status} {goal.Error}");
            var bytes = await store.RetrieveAsync(goal.NodeId);
            Assert.NotNull(bytes);
            Assert.Equal(expected.Goals.Single(g => g.Name == goal.Name).Value, ValueCodec.Decode(bytes));
        }

        Assert.Equal(result.Progress.TotalNodes, result.Progress.CompletedNodes + result.Progress.CachedNodes);
        Assert.Contains(await store.ListExecutionsAsync().Select(e => e.ExecutionId).ToListAsync(), id => id == execution.ExecutionId);

        // The same program again: everything is served from the shared store, nothing runs.
        var again = await (await Client.SubmitProgramAsync(Program, new ClusterSubmitOptions { StoreNamespace = ns })).WaitAsync().WaitAsync(Patience);
        Assert.Equal(ExecutionStatus.Completed, again.Status);
        Assert.All(again.Goals, g => Assert.Equal(NodeStatus.Cached, g.Status));
    }

    [Fact]
    public async Task A_wide_DAG_runs_each_node_once_spread_over_every_silo()
    {
        var tag = Guid.NewGuid().GetHashCode() & 0xFFFF; // a fresh salt: the nodes are new to every store and to ct.add's run counts
        var b = new DagBuilder();
        var salt = b.Constant((double)tag);
        var layer = Enumerable.Range(0, 60).Select(i => b.Operation("ct.add", 1, [b.Constant((double)i), salt])).ToList();
        var second = Enumerable.Range(0, 30).Select(i => b.Operation("ct.add", 1, [layer[2 * i], layer[2 * i + 1]])).ToList();
        var total = b.Operation("ct.add", 1, [.. second]);
        b.AddGoal(new DagGoal("total", GoalKind.Print, total));
        var dag = b.Build();
        NodeId IdOf(int node) => dag.Nodes[node].Id;
        var before = new Dictionary<string, int>(ClusterTestOps.RunsPerSilo);
        var callsBefore = fixture.Coordinators.Sum(c => c.Runner.Calls);

        var ns = ClusterFixture.NewNamespace("wide");
        var execution = await Client.SubmitDagAsync(dag, new ClusterSubmitOptions { StoreNamespace = ns });
        var result = await execution.WaitAsync().WaitAsync(Patience);

        Assert.Equal(ExecutionStatus.Completed, result.Status);
        var goal = Assert.Single(result.Goals);
        Assert.Equal(IdOf(total), goal.NodeId);
        await using var store = await fixture.OpenStoreAsync(ns);
        var expected = Enumerable.Range(0, 60).Sum(i => i + (double)tag);
        Assert.Equal(expected, ValueCodec.Decode((await store.RetrieveAsync(IdOf(total)))!));
        foreach (var node in layer.Concat(second).Append(total))
        {
            Assert.Equal(1, ClusterTestOps.Runs.GetValueOrDefault(IdOf(node)));
        }

        var silos = fixture.Cluster.Silos.Select(s => s.SiloAddress.ToParsableString()).ToList();
        Assert.Equal(ClusterFixture.Silos, silos.Count);
        foreach (var silo in silos)
        {
            Assert.True(ClusterTestOps.RunsPerSilo.GetValueOrDefault(silo) > before.GetValueOrDefault(silo, 0), $"no node of the DAG ran on {silo}");
        }

        // 60 nodes are ready at once for 6 slots: the calls carry several nodes each.
        var calls = fixture.Coordinators.Sum(c => c.Runner.Calls) - callsBefore;
        Assert.InRange(calls, 3, 60);
    }

    [Fact]
    public async Task A_failure_stays_on_its_node_with_the_operators_message_and_independent_goals_complete()
    {
        var b = new DagBuilder();
        var failing = b.Operation("test.fail", 1, [b.Constant("disk on fire " + Guid.NewGuid())]);
        var downstream = b.Operation("ct.add", 1, [failing, b.Constant(1.0)]);
        var fine = b.Operation("ct.add", 1, [b.Constant(20.0), b.Constant(22.0)]);
        b.AddGoal(new DagGoal("bad", GoalKind.Print, downstream));
        b.AddGoal(new DagGoal("good", GoalKind.Print, fine));

        var result = await (await Client.SubmitDagAsync(b.Build(), new ClusterSubmitOptions { StoreNamespace = ClusterFixture.NewNamespace("fail") }))
            .WaitAsync().WaitAsync(Patience);

        Assert.Equal(ExecutionStatus.Failed, result.Status);
        var bad = result.Goals.Single(g => g.Name == "bad");
        Assert.Equal(NodeStatus.Skipped, bad.Status);
        Assert.Contains("disk on fire", result.Error ?? bad.Error ?? string.Empty);
        Assert.Equal(1, result.Progress.FailedNodes); // a deliberate failure is not retried
        Assert.Equal(NodeStatus.Completed, result.Goals.Single(g => g.Name == "good").Status);
    }

    [Fact]
    public async Task A_transient_failure_on_a_worker_is_retried_by_the_coordinator()
    {
        var b = new DagBuilder();
        var flaky = b.Operation("test.flaky", 1, [b.Constant(41.0), b.Constant(1.0), b.Constant("cluster-flaky-" + Guid.NewGuid())]);
        b.AddGoal(new DagGoal("v", GoalKind.Print, b.Operation("ct.add", 1, [flaky, b.Constant(1.0)])));
        var ns = ClusterFixture.NewNamespace("retry");

        var result = await (await Client.SubmitDagAsync(b.Build(), new ClusterSubmitOptions { StoreNamespace = ns, MaxRetries = 2 }))
            .WaitAsync().WaitAsync(Patience);

        Assert.Equal(ExecutionStatus.Completed, result.Status);
        await using var store = await fixture.OpenStoreAsync(ns);
        Assert.Equal(42.0, ValueCodec.Decode((await store.RetrieveAsync(result.Goals[0].NodeId))!));
    }

    [Fact]
    public async Task Cancelling_reaches_the_running_grain_call_and_progress_shows_it_running()
    {
        var key = "block-" + Guid.NewGuid();
        var b = new DagBuilder();
        b.AddGoal(new DagGoal("blocked", GoalKind.Print, b.Operation("ct.block", 1, [b.Constant(1.0), b.Constant(key)])));
        var execution = await Client.SubmitDagAsync(b.Build(), new ClusterSubmitOptions { StoreNamespace = ClusterFixture.NewNamespace("cancel") });

        await ClusterTestOps.Signal(ClusterTestOps.Started, key).Task.WaitAsync(Patience);
        var progress = await execution.GetProgressAsync();
        Assert.Equal(ExecutionStatus.Running, progress.Status);
        Assert.Equal(1, progress.RunningNodes);

        await execution.CancelAsync();
        await ClusterTestOps.Signal(ClusterTestOps.Cancelled, key).Task.WaitAsync(Patience); // the operation on the worker saw its token
        var result = await execution.WaitAsync().WaitAsync(Patience);
        Assert.Equal(ExecutionStatus.Cancelled, result.Status);
        Assert.Equal(NodeStatus.Cancelled, result.Goals[0].Status);
    }

    [Fact]
    public async Task No_more_calls_are_in_flight_than_the_cluster_has_slots()
    {
        var b = new DagBuilder();
        var salt = b.Constant(Guid.NewGuid().ToString());
        var sleeps = Enumerable.Range(0, 40).Select(i => b.Operation("test.sleep", 1, [b.Constant((double)i), b.Constant(25.0)])).ToList();
        b.AddGoal(new DagGoal("sum", GoalKind.Print, b.Operation("ct.add", 1, [.. sleeps])));
        b.AddGoal(new DagGoal("salt", GoalKind.Print, salt));
        WorkerSlotGrain.ResetPeak();

        var result = await (await Client.SubmitDagAsync(b.Build(), new ClusterSubmitOptions { StoreNamespace = ClusterFixture.NewNamespace("slots") }))
            .WaitAsync().WaitAsync(Patience);

        Assert.Equal(ExecutionStatus.Completed, result.Status);
        var peak = WorkerSlotGrain.PeakInFlightInProcess;
        Assert.InRange(peak, 2, ClusterFixture.Silos * ClusterFixture.SlotsPerSilo);
    }

    [Fact]
    public async Task Long_nodes_go_several_per_call_only_while_the_queue_holds_that_many_for_every_slot_and_a_layers_tail_one_per_call()
    {
        // 24 ready 20 ms nodes over 6 slots once went as six calls of four because a free slot took the queue shared over the
        // *free* slots; now a call carries several long nodes only while the queue holds that many for every slot of the pool
        // (busy ones too), and the last ones go one per call over the slots.
        var b = new DagBuilder();
        var sleeps = Enumerable.Range(0, 120).Select(i => b.Operation("test.sleep", 1, [b.Constant((double)i), b.Constant(10.0)])).ToList();
        b.AddGoal(new DagGoal("sum", GoalKind.Print, b.Operation("ct.add", 1, [.. sleeps])));
        var ns = ClusterFixture.NewNamespace("long");
        var result = await (await Client.SubmitDagAsync(b.Build(), new ClusterSubmitOptions { StoreNamespace = ns })).WaitAsync().WaitAsync(Patience);
        Assert.Equal(ExecutionStatus.Completed, result.Status);

        var calls = fixture.Coordinators.SelectMany(c => c.Runner.RecentCalls).Where(c => c.StoreNamespace == ns).ToList();
        var slots = ClusterFixture.Silos * ClusterFixture.SlotsPerSilo;
        Assert.All(calls, c => Assert.Equal(slots, c.Slots));
        // Every sleep was sent (a fresh store: none is served from it), then the sum.
        Assert.Equal(120 + 1, calls.Sum(c => c.Nodes));
        // Once a first sleep reported its time, calls from the deep queue carried several, never more than the queue held per slot.
        var several = calls.Where(c => c.Nodes > 1).ToList();
        Assert.NotEmpty(several);
        Assert.All(several, c => Assert.InRange(c.Nodes, 2, RemoteNodeRunner.MaxDeepBatch));
        Assert.All(several, c => Assert.True(c.Queued >= c.Nodes * c.Slots, $"{c.Nodes} nodes in a call with {c.Queued} queued over {c.Slots} slots"));
        // The tail: once fewer than two per slot were queued, one per call, so the last sleeps were spread over the slots.
        var tail = calls.Where(c => c.Queued < 2 * c.Slots).ToList();
        Assert.True(tail.Count >= slots, $"{tail.Count} calls in the tail");
        Assert.All(tail, c => Assert.Equal(1, c.Nodes));
        var times = fixture.Coordinators.Select(c => c.Runner.Times).Where(t => t.Knows("test.sleep")).ToList();
        Assert.NotEmpty(times);
        Assert.All(times, t => Assert.InRange(t.Estimate("test.sleep"), TimeSpan.FromMilliseconds(8).Ticks, TimeSpan.FromSeconds(5).Ticks));
    }

    [Fact]
    public async Task An_operation_no_silo_has_is_refused_at_submission_naming_it()
    {
        var b = new DagBuilder();
        b.AddGoal(new DagGoal("x", GoalKind.Print, b.Operation("session.myScriptBlock", 1, [b.Constant(1.0)])));

        var e = await Assert.ThrowsAsync<ValidationException>(() =>
            Client.SubmitDagAsync(b.Build(), new ClusterSubmitOptions { StoreNamespace = ClusterFixture.NewNamespace("unknown") }));

        Assert.Contains("session.myScriptBlock", e.Message);
        Assert.Contains("cannot run remotely", e.Message);
    }

    [Fact]
    public async Task Volatile_nodes_run_on_the_coordinator_and_are_never_stored()
    {
        var b = new DagBuilder();
        var random = b.Operation("ct.random", 1, []);
        var plusOne = b.Operation("ct.add", 1, [random, b.Constant(1.0)]);
        var pure = b.Operation("ct.add", 1, [b.Constant(2.0), b.Constant((double)Random.Shared.Next())]);
        b.AddGoal(new DagGoal("r", GoalKind.Print, plusOne));
        b.AddGoal(new DagGoal("p", GoalKind.Print, b.Operation("ct.add", 1, [pure, b.Constant(1.0)])));
        var ns = ClusterFixture.NewNamespace("volatile");

        var dag = b.Build();

        var result = await (await Client.SubmitDagAsync(dag, new ClusterSubmitOptions { StoreNamespace = ns })).WaitAsync().WaitAsync(Patience);

        Assert.Equal(ExecutionStatus.Completed, result.Status);
        var r = result.Goals.Single(g => g.Name == "r");
        Assert.True(r.HasValue); // in no store: the value comes with the result
        Assert.True(r.Value is double d && d >= 1);
        await using var store = await fixture.OpenStoreAsync(ns);
        Assert.False(await store.ExistsAsync(dag.Nodes[random].Id));
        Assert.False(await store.ExistsAsync(dag.Nodes[plusOne].Id));
        Assert.True(await store.ExistsAsync(dag.Nodes[pure].Id));
    }

    [Fact]
    public async Task A_large_value_computed_on_the_coordinator_reaches_a_worker_through_the_store_and_is_read_there_as_a_stream()
    {
        var seed = Random.Shared.Next();
        var b = new DagBuilder();
        var blob = b.Operation("ct.bytes", 1, [b.Constant(300_000.0), b.Constant((double)seed)]);
        b.AddGoal(new DagGoal("hash", GoalKind.Print, b.Operation("test.sha256", 1, [blob])));
        var dag = b.Build();
        var registry = BuiltinOperations.CreateRegistry();
        ClusterTestOps.Register(registry);
        await using var local = new DynamicScheduler(registry);
        var expected = await local.SubmitAsync(dag, new ExecutionConfig { StorageBackend = "none" });
        await expected.Completion.WaitAsync(Patience);
        var ns = ClusterFixture.NewNamespace("large-input");

        var result = await (await Client.SubmitDagAsync(dag, new ClusterSubmitOptions { StoreNamespace = ns })).WaitAsync().WaitAsync(Patience);

        Assert.Equal(ExecutionStatus.Completed, result.Status);
        var hash = Assert.Single(result.Goals);
        Assert.Equal(expected.GetGoalResults()[0].Value, hash.Value);
        await using var store = await fixture.OpenStoreAsync(ns);
        Assert.InRange((await store.GetMetadataAsync(dag.Nodes[blob].Id))!.Size, 300_000, 300_100); // the blob went to the store (its byte form)
    }

    [Fact]
    public async Task The_silo_listing_shows_every_active_silo_with_its_slots()
    {
        var silos = await Client.GetSilosAsync();

        Assert.Equal(ClusterFixture.Silos, silos.Count(s => s.Status == "Active"));
        Assert.All(silos.Where(s => s.Status == "Active"), s => Assert.Equal(ClusterFixture.SlotsPerSilo, s.Slots));
        Assert.Equal(fixture.Cluster.Silos.Select(s => s.SiloAddress.Endpoint.ToString()).Order(), silos.Select(s => s.Address).Order());
    }
}
