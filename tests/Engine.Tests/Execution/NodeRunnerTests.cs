using VoxScheduler.Dag;
using VoxScheduler.Execution;
using VoxScheduler.Operations;
using VoxScheduler.Scheduling;
using VoxScheduler.Tests.Scheduling;

namespace VoxScheduler.Tests.Execution;

/// <summary>The seam between when a node runs (the scheduler) and where (a node runner).</summary>
public sealed class NodeRunnerTests
{
    [Fact]
    public async Task The_scheduler_hands_each_node_to_its_runner_with_operator_revision_attributes_and_input_ids()
    {
        var ops = new TestOps();
        await using var scheduler = ops.Scheduler();
        var recording = new RecordingRunner();
        scheduler.Runner = recording;
        var b = new DagBuilder();
        var one = b.Constant(1.0);
        var two = b.Constant(2.0);
        var sum = b.Operation("t.add", 1, [one, two]);
        var twice = b.Operation("t.add", 1, [sum, sum]);
        b.AddGoal(new DagGoal("twice", GoalKind.Print, twice));
        var dag = b.Build();
        var execution = await TestOps.RunAsync(scheduler, dag);

        Assert.Equal(ExecutionStatus.Completed, execution.Status);
        Assert.Equal(6.0, execution.GetGoalResults()[0].Value);
        var runs = recording.Runs.ToDictionary(r => r.NodeId);
        Assert.Equal(2, runs.Count);
        Assert.Equal(("t.add", 1), (runs[dag.Nodes[sum].Id].Operator, runs[dag.Nodes[sum].Id].Revision));
        Assert.Equal([dag.Nodes[one].Id, dag.Nodes[two].Id], runs[dag.Nodes[sum].Id].InputIds);
        Assert.Equal([dag.Nodes[sum].Id, dag.Nodes[sum].Id], runs[dag.Nodes[twice].Id].InputIds);
    }

    [Fact]
    public async Task A_runner_that_sees_only_input_ids_computes_the_same_results()
    {
        // Like a remote runner: it resolves every input by id from what it computed (or was given), never from the scheduler's values.
        var ops = new TestOps();
        await using var scheduler = ops.Scheduler();
        var b = new DagBuilder();
        var x = b.Constant(3.0);
        var y = b.Constant(4.0);
        var s = b.Operation("t.add", 1, [x, y]);
        var t = b.Operation("t.add", 1, [s, x]);
        var u = b.Operation("t.add", 1, [t, s]);
        b.AddGoal(new DagGoal("u", GoalKind.Print, u));
        var dag = b.Build();
        var idsOnly = new IdsOnlyRunner(dag.Nodes.Where(n => n.Kind == NodeKind.Constant).ToDictionary(n => n.Id, n => n.Value));
        scheduler.Runner = idsOnly;
        var execution = await TestOps.RunAsync(scheduler, dag);

        Assert.Equal(ExecutionStatus.Completed, execution.Status);
        Assert.Equal(17.0, execution.GetGoalResults()[0].Value); // s = 7, t = s + x = 10, u = t + s = 17
        Assert.Equal(3, idsOnly.Runs);
    }

    [Fact]
    public async Task A_runner_that_reads_inputs_by_id_gets_stored_inputs_unloaded_and_learns_which_nodes_are_volatile()
    {
        using var temp = new TempFolder();
        var config = new ExecutionConfig { StorageBackend = "sqlite", StoragePath = temp.Combine("store"), MaxConcurrentNodes = 2 };
        var b = new DagBuilder();
        var x = b.Constant(3.0);
        var s = b.Operation("t.add", 1, [x, b.Constant(4.0)]);
        b.AddGoal(new DagGoal("s", GoalKind.Print, s));
        var first = b.Build();
        var ops = new TestOps();
        await using (var scheduler = ops.Scheduler())
        {
            Assert.Equal(ExecutionStatus.Completed, (await TestOps.RunAsync(scheduler, first, config)).Status); // s is now in the store
        }

        var t = b.Operation("t.add", 1, [s, x]);
        var random = b.Operation("t.random", 1, []);
        var noisy = b.Operation("t.add", 1, [random, x]);
        b.AddGoal(new DagGoal("t", GoalKind.Print, t));
        b.AddGoal(new DagGoal("noisy", GoalKind.Print, noisy));
        var second = b.Build();
        var idsOnly = new IdsOnlyRunner(new Dictionary<NodeId, object?> { [second.Nodes[x].Id] = 3.0, [second.Nodes[s].Id] = 7.0 });
        await using (var scheduler = ops.Scheduler())
        {
            scheduler.Runner = idsOnly;
            var execution = await TestOps.RunAsync(scheduler, second, config);
            Assert.Equal(ExecutionStatus.Completed, execution.Status);
            Assert.Equal(10.0, execution.GetGoalResults().Single(g => g.Name == "t").Value);
        }

        Assert.Equal([true, false], idsOnly.Seen[second.Nodes[t].Id].Stored); // s from the store, not loaded; the constant in memory
        Assert.False(idsOnly.Seen[second.Nodes[t].Id].Volatile);
        Assert.True(idsOnly.Seen[second.Nodes[noisy].Id].Volatile); // downstream of a non-deterministic operation
        Assert.True(idsOnly.Seen[second.Nodes[random].Id].Volatile);
    }

    [Fact]
    public void The_local_runner_runs_a_synchronous_node_inline_and_allocates_nothing_beyond_the_executor()
    {
        // The scheduler's hot path for trivial nodes: no Task, no per-node object added by the seam.
        // The operation returns a value boxed once, so what remains is the executor's own context and result.
        object boxed = 2.0;
        var op = Operation.Create("t.same", 1, 1, _ => boxed);
        var id = NodeId.Hash("{\"kind\":\"node\"}"u8);
        var args = new object?[] { 1.0 };
        var env = OperationEnvironment.Default;
        const int Runs = 2000;

        long Measure(Func<ValueTask<ExecutionResult>> run)
        {
            for (var i = 0; i < 200; i++) Assert.True(run().IsCompletedSuccessfully); // warm: tiered JIT, statics
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < Runs; i++)
            {
                var pending = run();
                if (!pending.IsCompletedSuccessfully) Assert.Fail("a synchronous node went asynchronous");
                _ = pending.Result;
            }

            return GC.GetAllocatedBytesForCurrentThread() - before;
        }

        var direct = Measure(() => NodeExecutor.ExecuteAsync(op, id, args, null, env, CancellationToken.None, null, 1));
        var viaRunner = Measure(() => LocalNodeRunner.Instance.RunAsync(new NodeRun(op, id, null, 1), new NodeInputs(null, 0, args), env, null,
            CancellationToken.None));

        // A Task<ExecutionResult> alone is over 64 bytes; the seam must add less than 8 bytes a node (nothing, in practice).
        Assert.True(viaRunner - direct < Runs * 8L, $"direct {direct / Runs} B/node, through the runner {viaRunner / Runs} B/node");
    }

    private sealed record Run(NodeId NodeId, string Operator, int Revision, NodeId[] InputIds);

    private sealed class RecordingRunner : INodeRunner
    {
        public System.Collections.Concurrent.ConcurrentBag<Run> Runs { get; } = [];

        public bool NeedsValues(in NodeRun node, OperationEnvironment environment) => true;

        public ValueTask<ExecutionResult> RunAsync(in NodeRun node, in NodeInputs inputs, OperationEnvironment environment,
            IStreamingOutputSource? streams, CancellationToken cancellationToken)
        {
            var ids = new NodeId[inputs.Count];
            for (var i = 0; i < ids.Length; i++) ids[i] = inputs.IdAt(i);
            Runs.Add(new Run(node.NodeId, node.Operator, node.Revision, ids));
            return LocalNodeRunner.Instance.RunAsync(node, inputs, environment, streams, cancellationToken);
        }
    }

    private sealed class IdsOnlyRunner(Dictionary<NodeId, object?> known) : INodeRunner
    {
        private readonly Lock _gate = new();
        private int _runs;

        public int Runs => Volatile.Read(ref _runs);

        /// <summary>What the scheduler handed over: per node, which inputs came unloaded (still in the store), and whether the node was volatile.</summary>
        public System.Collections.Concurrent.ConcurrentDictionary<NodeId, (bool[] Stored, bool Volatile)> Seen { get; } = new();

        public bool NeedsValues(in NodeRun node, OperationEnvironment environment) => false;

        public ValueTask<ExecutionResult> RunAsync(in NodeRun node, in NodeInputs inputs, OperationEnvironment environment,
            IStreamingOutputSource? streams, CancellationToken cancellationToken)
        {
            var args = new object?[inputs.Count];
            var stored = new bool[inputs.Count];
            for (var i = 0; i < stored.Length; i++) stored[i] = inputs.IsStored(i);
            Seen[node.NodeId] = (stored, node.Volatile);
            lock (_gate)
            {
                for (var i = 0; i < args.Length; i++) args[i] = known[inputs.IdAt(i)];
            }

            Interlocked.Increment(ref _runs);
            // t.add is synchronous, so the local run completes inline.
            var pending = LocalNodeRunner.Instance.RunAsync(node, new NodeInputs(null, 0, args), environment, streams, cancellationToken);
            Assert.True(pending.IsCompletedSuccessfully);
            var result = pending.Result;
            if (result.Succeeded)
            {
                lock (_gate) known[node.NodeId] = result.Result.Value;
            }

            return new(result);
        }
    }
}
