using System.Collections.Concurrent;
using CsCheck;
using VoxScheduler.Dag;
using VoxScheduler.Execution;
using VoxScheduler.Operations;
using VoxScheduler.Scheduling;

namespace VoxScheduler.Tests.Scheduling;

/// <summary>
/// Thousands of seeded random DAGs (constants, synchronous, asynchronous and failing nodes,
/// duplicate arguments, shared goals) run on one scheduler; every run is checked against a
/// sequential reference evaluation and against the scheduling invariants.
/// </summary>
public sealed class RandomDagPropertyTests
{
    private static readonly Recorder Current = new();

    [Fact]
    public async Task Every_node_runs_at_most_once_after_its_dependencies_within_the_limit_and_matches_the_reference()
    {
        var registry = CreateRegistry();
        await using var scheduler = new DynamicScheduler(registry, new SchedulerOptions { MaxWorkers = 6, ProgressInterval = TimeSpan.Zero });
        await Gen.Int.SampleAsync(async seed =>
        {
            var (dag, limit) = RandomDag(seed, failures: true);
            Current.Reset(dag);
            // Some runs keep no values between executions, the others reuse what earlier samples left in the value cache.
            var execution = await scheduler.SubmitAsync(dag, TestOps.Memory(limit) with { CacheSize = seed % 3 == 0 ? "0" : "1MB" });
            var status = await execution.Completion.WaitAsync(TimeSpan.FromSeconds(30));
            Check(dag, execution, status, limit);
        }, iter: 1500, threads: 1);
    }

    [Fact]
    public async Task Executions_running_at_the_same_time_on_random_dags_each_match_the_reference()
    {
        var registry = CreateRegistry();
        await using var scheduler = new DynamicScheduler(registry, new SchedulerOptions { MaxWorkers = 3, ProgressInterval = TimeSpan.Zero });
        await Gen.Int.SampleAsync(async seed =>
        {
            var dags = Enumerable.Range(0, 4).Select(k => RandomDag(seed * 7 + k, failures: k % 2 == 0).Dag).ToArray();
            Current.Reset(new DagBuilder().Build());
            var executions = new List<IExecution>();
            foreach (var d in dags) executions.Add(await scheduler.SubmitAsync(d, TestOps.Memory(2)));
            await Task.WhenAll(executions.Select(x => x.Completion)).WaitAsync(TimeSpan.FromSeconds(30));
            for (var k = 0; k < dags.Length; k++)
            {
                var reference = Reference(dags[k]);
                foreach (var goal in executions[k].GetGoalResults())
                {
                    var expected = reference[dags[k].Goals[goal.Ordinal].Node];
                    if (expected is null) Assert.True(goal.Status is NodeStatus.Failed or NodeStatus.Skipped, $"seed {seed}: goal {goal.Name} should fail");
                    else Assert.True(goal.Value is double dv && dv == expected.Value, $"seed {seed}: goal {goal.Name} of dag {k} is {goal.Status} {goal.Value} {goal.Error}, expected {expected}");
                }
            }
        }, iter: 200, threads: 1);
    }

    private static void Check(DagDefinition dag, IExecution execution, ExecutionStatus status, int limit)
    {
        var reference = Reference(dag);
        Assert.Empty(Current.Violations);
        Assert.True(Current.MaxConcurrent <= limit, $"{Current.MaxConcurrent} nodes ran at once, limit {limit}");
        Assert.All(Current.Runs, kv => Assert.Equal(1, kv.Value));
        var anyFailed = false;
        foreach (var goal in execution.GetGoalResults())
        {
            var node = dag.Goals[goal.Ordinal].Node;
            if (reference[node] is { } value)
            {
                Assert.True(goal.Status is NodeStatus.Completed or NodeStatus.Cached, $"goal {goal.Name} is {goal.Status}");
                Assert.Equal(value, Assert.IsType<double>(goal.Value));
            }
            else
            {
                anyFailed = true;
                Assert.True(goal.Status is NodeStatus.Failed or NodeStatus.Skipped, $"goal {goal.Name} is {goal.Status}");
                Assert.False(string.IsNullOrEmpty(goal.Error));
            }
        }

        Assert.Equal(anyFailed ? ExecutionStatus.Failed : ExecutionStatus.Completed, status);
        var progress = execution.GetProgress();
        Assert.Equal(100, progress.ProgressPercentage);
        Assert.Equal(0, progress.RunningNodes);
        // Only nodes reachable from the goals ran.
        var reachable = Reachable(dag);
        Assert.All(Current.Runs.Keys, id => Assert.Contains(id, reachable));
    }

    /// <summary>Sequential evaluation: a value, or null when the node (or something under it) fails.</summary>
    private static double?[] Reference(DagDefinition dag)
    {
        var values = new double?[dag.Nodes.Count];
        foreach (var node in dag.Nodes)
        {
            if (node.Kind == NodeKind.Constant)
            {
                values[node.Index] = (double)node.Value!;
                continue;
            }

            if (node.Operator == "p.fail" || node.Arguments.Any(a => values[a] is null))
            {
                values[node.Index] = null;
                continue;
            }

            values[node.Index] = K(node) + node.Arguments.Sum(a => values[a]!.Value);
        }

        return values;
    }

    private static HashSet<NodeId> Reachable(DagDefinition dag)
    {
        var seen = new HashSet<NodeId>();
        var stack = new Stack<int>(dag.Goals.Select(g => g.Node));
        while (stack.TryPop(out var i))
        {
            if (!seen.Add(dag.Nodes[i].Id)) continue;
            foreach (var a in dag.Nodes[i].Arguments) stack.Push(a);
        }

        return seen;
    }

    private static double K(DagNode node) => node.Attributes is { } a && a.TryGetValue("k", out var k) ? Convert.ToDouble(k, System.Globalization.CultureInfo.InvariantCulture) : 0;

    internal static (DagDefinition Dag, int Limit) RandomDag(int seed, bool failures)
    {
        var random = new Random(seed);
        var n = random.Next(1, 40);
        var b = new DagBuilder();
        var indices = new List<int>();
        for (var i = 0; i < n; i++)
        {
            var roll = random.Next(100);
            if (roll < 20 || indices.Count == 0)
            {
                indices.Add(b.Constant((double)random.Next(5)));
                continue;
            }

            var args = new int[random.Next(0, 5)];
            for (var j = 0; j < args.Length; j++) args[j] = indices[random.Next(indices.Count)];
            var op = failures && roll < 25 ? "p.fail" : roll < 55 ? "p.async" : "p.sync";
            var attributes = new Dictionary<string, object?> { ["k"] = (double)random.Next(3) };
            indices.Add(b.Operation(op, 1, args, attributes));
        }

        var goals = random.Next(1, 4);
        for (var g = 0; g < goals; g++)
        {
            var node = indices[random.Next(indices.Count)];
            b.AddGoal(new DagGoal($"g{g}", GoalKind.Print, node));
        }

        return (b.Build(), random.Next(1, 5));
    }

    internal static OperationRegistry CreateRegistry()
    {
        var registry = new OperationRegistry();
        registry.Register(Operation.Create("p.sync", 0, -1, c =>
        {
            Current.Enter(c);
            try
            {
                Thread.SpinWait(50);
                return Sum(c);
            }
            finally
            {
                Current.Exit(c);
            }
        }));
        registry.Register(Operation.CreateAsync("p.async", 0, -1, async c =>
        {
            Current.Enter(c);
            try
            {
                await Task.Yield();
                return Sum(c);
            }
            finally
            {
                Current.Exit(c);
            }
        }));
        registry.Register(Operation.Create("p.fail", 0, -1, c =>
        {
            Current.Enter(c);
            Current.Exit(c);
            throw c.Fail("planned failure");
        }));
        return registry;
    }

    private static double Sum(OperationContext c)
    {
        var sum = c.Attributes is { } a && a.TryGetValue("k", out var k) ? (double)k! : 0;
        for (var i = 0; i < c.Count; i++) sum += c.Number(i);
        return sum;
    }

    /// <summary>Watches the operations of the current run (samples run one at a time).</summary>
    private sealed class Recorder
    {
        private Dictionary<NodeId, NodeId[]> _arguments = [];
        private HashSet<NodeId> _constants = [];
        private int _running;
        private int _max;

        public ConcurrentDictionary<NodeId, int> Runs { get; private set; } = new();

        public ConcurrentDictionary<NodeId, bool> Done { get; private set; } = new();

        private ConcurrentQueue<(NodeId Node, NodeId Argument)> _early = new();

        public IEnumerable<string> Violations => _early.Where(e => Runs.ContainsKey(e.Argument)).Select(e => $"{e.Node} ran before its argument {e.Argument}");

        public int MaxConcurrent => Volatile.Read(ref _max);

        public void Reset(DagDefinition dag)
        {
            _arguments = dag.Nodes.ToDictionary(n => n.Id, n => n.Arguments.Select(a => dag.Nodes[a].Id).ToArray());
            _constants = dag.Nodes.Where(n => n.Kind == NodeKind.Constant).Select(n => n.Id).ToHashSet();
            Runs = new();
            Done = new();
            _early = new();
            _running = 0;
            _max = 0;
        }

        public void Enter(OperationContext c)
        {
            var now = Interlocked.Increment(ref _running);
            int seen;
            while (now > (seen = Volatile.Read(ref _max)) && Interlocked.CompareExchange(ref _max, now, seen) != seen) { }
            Runs.AddOrUpdate(c.NodeId, 1, static (_, v) => v + 1);
            if (!_arguments.TryGetValue(c.NodeId, out var arguments)) return;
            foreach (var a in arguments)
            {
                // Not done yet: fine only if it never runs in this execution (it came from the value cache).
                if (!_constants.Contains(a) && !Done.ContainsKey(a)) _early.Enqueue((c.NodeId, a));
            }
        }

        public void Exit(OperationContext c)
        {
            Done[c.NodeId] = true;
            Interlocked.Decrement(ref _running);
        }
    }
}
