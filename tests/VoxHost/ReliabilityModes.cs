using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using VoxScheduler.Dag;
using VoxScheduler.Language;
using VoxScheduler.Operations;
using VoxScheduler.Scheduling;
using VoxScheduler.Values;

namespace VoxScheduler.VoxHost;

/// <summary>
/// VoxHost modes of the reliability suite (tests/Reliability). Output is line-oriented so the
/// parent test can follow progress and decide when to SIGKILL:
/// <c>NODE status id operator</c> per finished node, <c>GOAL name status sha256</c> per goal,
/// <c>PROGRESS k=v…</c> and <c>END status</c> at the end.
/// </summary>
internal static class ReliabilityModes
{
    /// <summary>
    /// <c>run-dag --backend B --store PATH [--width 6] [--depth 20] [--offset 0] [--spin 1] [--sleep 5]
    /// [--blobs 2] [--blob-mb 1] [--concurrency 4] [--threshold 262144] [--timeout-ms 0]</c>.
    /// Exit 0 when the execution completed, 3 when it failed, 1 on an unexpected error.
    /// </summary>
    public static async Task<int> RunDagAsync(string[] args)
    {
        var o = Options.Parse(args);
        var operations = HostOperations.Create();
        var dag = ReliabilityDag.Build(operations, o.Int("width", 6), o.Int("depth", 20), o.Int("offset", 0), o.Int("spin", 1),
            o.Int("sleep", 5), o.Int("blobs", 2), o.Int("blob-mb", 1));
        var config = new ExecutionConfig
        {
            StorageBackend = o.Text("backend", "sqlite"),
            StoragePath = o.Text("store"),
            MaxConcurrentNodes = o.Int("concurrency", 4),
            StreamingThreshold = o.Int("threshold", 256 * 1024),
            MaxRetries = 0,
            RetryFailedNodes = false,
            NodeTimeout = o.Int("timeout-ms", 0) > 0 ? TimeSpan.FromMilliseconds(o.Int("timeout-ms", 0)) : null,
        };
        PrintPlan(dag);
        await using var scheduler = new DynamicScheduler(operations);
        var execution = await scheduler.SubmitAsync(dag, config, new SubmitOptions { Source = "reliability run-dag" });
        return await ReportAsync(execution);
    }

    /// <summary>
    /// <c>compile --file F</c>: reduces a program (no run). Prints <c>OK nodes=N goals=G</c> (exit 0),
    /// <c>INVALID code: message</c> for a ValidationException (exit 2), <c>CRASH type: message</c> otherwise (exit 1).
    /// Run in a child so that a stack overflow, which no .NET code can catch, fails the test instead of killing it.
    /// </summary>
    public static Task<int> CompileAsync(string[] args)
    {
        var o = Options.Parse(args);
        var operations = HostOperations.Create();
        try
        {
            var compiled = ProgramCompiler.CompileFile(o.Text("file"), operations);
            Console.Out.WriteLine($"OK nodes={compiled.Dag.Nodes.Count} goals={compiled.Dag.Goals.Count}");
            return Task.FromResult(0);
        }
        catch (ValidationException e)
        {
            var first = e.Problems.Count > 0 ? e.Problems[0] : null;
            Console.Out.WriteLine($"INVALID {first?.Code}: {Truncate(first?.Message ?? e.Message)} (problems={e.Problems.Count})");
            return Task.FromResult(2);
        }
        catch (Exception e)
        {
            Console.Out.WriteLine($"CRASH {e.GetType().FullName}: {Truncate(e.Message)}");
            return Task.FromResult(1);
        }
    }

    /// <summary>
    /// <c>run-program --file F [--backend none|sqlite|…] [--store PATH]</c>: compiles and runs a program,
    /// reporting like run-dag. ValidationException: <c>INVALID …</c>, exit 2.
    /// </summary>
    public static async Task<int> RunProgramAsync(string[] args)
    {
        var o = Options.Parse(args);
        var operations = HostOperations.Create();
        CompiledProgram compiled;
        try
        {
            compiled = ProgramCompiler.CompileFile(o.Text("file"), operations);
        }
        catch (ValidationException e)
        {
            Console.Out.WriteLine($"INVALID {(e.Problems.Count > 0 ? e.Problems[0].Code : "")}: {Truncate(e.Message)}");
            return 2;
        }

        var config = new ExecutionConfig
        {
            StorageBackend = o.Text("backend", "none"),
            StoragePath = o.Text("store", Path.Combine(Path.GetTempPath(), "vox-unused")),
            MaxConcurrentNodes = o.Int("concurrency", 4),
            MaxRetries = 0,
        };
        await using var scheduler = new DynamicScheduler(operations);
        var execution = await scheduler.SubmitAsync(compiled.Dag, config);
        return await ReportAsync(execution);
    }

    /// <summary>
    /// <c>size-dag --shape chain|wide|fanin --nodes N</c>: a huge DAG through DagBuilder and the
    /// scheduler on the memory store; prints <c>END status</c> and peak working set.
    /// </summary>
    public static async Task<int> SizeDagAsync(string[] args)
    {
        var o = Options.Parse(args);
        var operations = HostOperations.Create();
        var n = o.Int("nodes", 1_000_000);
        var shape = o.Text("shape", "chain");
        var clock = Stopwatch.StartNew();
        var b = new DagBuilder(n + 8);
        var add = operations.TryGet("rel.add", out var addOp) ? addOp : throw new InvalidOperationException("rel.add missing");
        int goal;
        switch (shape)
        {
            case "chain":
            {
                // x(i) = x(i-1) + 1: a million-deep dependency chain (no recursion may follow it).
                var one = b.Constant(1.0);
                var x = b.Constant(0.0);
                for (var i = 1; i < n; i++) x = b.Operation(add.Name, add.Revision, [x, one]);
                goal = x;
                break;
            }
            case "wide":
            {
                // n/3 independent additions (i + 1) summed pairwise (a balanced tree): about n nodes in all.
                var level = new List<int>(n / 3 + 1);
                for (var i = 0; level.Count < n / 3; i++) level.Add(b.Operation(add.Name, add.Revision, [b.Constant((double)i), b.Constant(1.0)]));
                while (level.Count > 1)
                {
                    var next = new List<int>(level.Count / 2 + 1);
                    for (var i = 0; i + 1 < level.Count; i += 2) next.Add(b.Operation(add.Name, add.Revision, [level[i], level[i + 1]]));
                    if (level.Count % 2 == 1) next.Add(level[^1]);
                    level = next;
                }

                goal = level[0];
                break;
            }
            case "fanin":
            {
                // One node with n arguments.
                if (!operations.TryGet("rel.sum", out var seq)) throw new InvalidOperationException("rel.sum missing");
                var items = new int[n];
                for (var i = 0; i < n; i++) items[i] = b.Constant((double)i);
                goal = b.Operation(seq.Name, seq.Revision, items);
                break;
            }
            default:
                throw new ArgumentException($"unknown shape {shape}");
        }

        b.AddGoal(new DagGoal("result", GoalKind.Node, goal));
        var dag = b.Build();
        Console.Out.WriteLine($"BUILT nodes={dag.Nodes.Count} ms={clock.ElapsedMilliseconds}");
        await using var scheduler = new DynamicScheduler(operations);
        var execution = await scheduler.SubmitAsync(dag, new ExecutionConfig { StorageBackend = "none", MaxConcurrentNodes = 2 });
        var status = await execution.Completion;
        var goalResult = execution.GetGoalResults()[0];
        var p = execution.GetProgress();
        var summary = goalResult.Value switch
        {
            double d => d.ToString("R", CultureInfo.InvariantCulture),
            object?[] a => $"sequence[{a.Length}]",
            var v => ValueCodec.TypeName(v),
        };
        Console.Out.WriteLine($"GOAL result {goalResult.Status} {summary} {Truncate(goalResult.Error ?? "")}");
        Console.Out.WriteLine($"PROGRESS total={p.TotalNodes} completed={p.CompletedNodes} computed={p.ComputedNodes} cached={p.CachedNodes} failed={p.FailedNodes} skipped={p.SkippedNodes}");
        Console.Out.WriteLine($"PEAKMB {Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024)} ms={clock.ElapsedMilliseconds}");
        Console.Out.WriteLine($"END {status}");
        return status == ExecutionStatus.Completed ? 0 : 3;
    }

    // PLAN id operator arg,arg,… and PLANGOAL id: lets the parent compute which nodes a resumed
    // run needs (goals down to the first durable result) without knowing the recipe.
    private static void PrintPlan(DagDefinition dag)
    {
        var line = new System.Text.StringBuilder();
        foreach (var node in dag.Nodes)
        {
            line.Clear().Append("PLAN ").Append(node.Id.ToString()).Append(' ').Append(node.Operator).Append(' ');
            for (var i = 0; i < node.Arguments.Length; i++)
            {
                if (i > 0) line.Append(',');
                line.Append(dag.Nodes[node.Arguments[i]].Id.ToString());
            }

            Console.Out.WriteLine(line.ToString());
        }

        foreach (var goal in dag.Goals) Console.Out.WriteLine($"PLANGOAL {dag.Nodes[goal.Node].Id}");
    }

    private static async Task<int> ReportAsync(IExecution execution)
    {
        // Subscribe first: nodes finishing before the subscription have no event, which is why the
        // results this execution stored are listed at the end as well (STORED lines).
        var events = execution.WatchAsync(replay: true).GetAsyncEnumerator();
        Console.Out.WriteLine($"SUBMITTED {execution.ExecutionId} nodes={execution.Dag.Nodes.Count}");
        while (await events.MoveNextAsync())
        {
            var e = events.Current;
            if (e.Kind == ExecutionEventKind.NodeFinished)
            {
                Console.Out.WriteLine($"NODE {e.NodeStatus} {e.NodeId} {e.Operator}");
            }
        }

        await events.DisposeAsync();
        var status = await execution.Completion;
        if (execution.Store is { } store)
        {
            await store.FlushAsync();
            await foreach (var m in store.ListAsync(new Storage.ResultQuery(ExecutionId: execution.ExecutionId)))
            {
                if (m.ExecutionId == execution.ExecutionId) Console.Out.WriteLine($"STORED {m.NodeId}");
            }
        }

        foreach (var goal in execution.GetGoalResults())
        {
            string digest = "-";
            if (goal.Succeeded)
            {
                var bytes = goal.Value is not null || execution.Store is null
                    ? ValueCodec.Encode(goal.Value)
                    : await execution.Store.RetrieveAsync(goal.NodeId) ?? throw new InvalidOperationException($"goal {goal.Name} succeeded but is not in the store");
                digest = Convert.ToHexStringLower(SHA256.HashData(bytes));
            }

            Console.Out.WriteLine($"GOAL {goal.Name} {goal.Status} {digest} {goal.NodeId} {Oneline(goal.Error)}");
        }

        var p = execution.GetProgress();
        Console.Out.WriteLine($"PROGRESS total={p.TotalNodes} completed={p.CompletedNodes} computed={p.ComputedNodes} cached={p.CachedNodes} failed={p.FailedNodes} skipped={p.SkippedNodes}");
        Console.Out.WriteLine($"END {status}");
        return status == ExecutionStatus.Completed ? 0 : 3;
    }

    private static string Oneline(string? text) => text is null ? "" : Truncate(text.ReplaceLineEndings(" "));

    private static string Truncate(string text) => text.Length <= 300 ? text : text[..300] + "…";

    private sealed class Options
    {
        private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

        public static Options Parse(string[] args)
        {
            var o = new Options();
            for (var i = 0; i < args.Length; i++)
            {
                if (!args[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"Unexpected argument '{args[i]}'.");
                var key = args[i][2..];
                o._values[key] = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : "true";
            }

            return o;
        }

        public string Text(string key, string? fallback = null) =>
            _values.TryGetValue(key, out var v) ? v : fallback ?? throw new ArgumentException($"--{key} is required.");

        public int Int(string key, int fallback) =>
            _values.TryGetValue(key, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
    }
}
