using System.Collections.Immutable;
using System.Diagnostics;
using System.Text.Json;
using VoxScheduler.Dag;
using VoxScheduler.Operations;
using VoxScheduler.Scheduling;

namespace VoxScheduler.Bench;

/// <summary>The <c>dag</c> mode: builds a recipe graph through the public DAG API and runs it on the scheduler.</summary>
internal static class DagMode
{
    /// <summary>ExecutionConfig.CacheSize used by the benchmark passes (default 0: no value cache across executions).</summary>
    public static string CacheSize { get; set; } = "0";

    public static async Task<int> RunAsync(string[] args)
    {
        var a = new BenchArgs(args);
        CacheSize = a.Get("cache-size", "0");
        var shape = a.Get("shape") ?? throw new ArgumentException("--shape is required");
        var recipe = GraphRecipe.Create(shape, a);
        var result = await RunRecipeAsync(recipe, a.Get("store", "none"), a.Int("concurrency", Environment.ProcessorCount),
            a.Int("spin-us", 0), a.Get("dump-graph"), a.Int("repeat", 3));
        Console.WriteLine(Json(result));
        return 0;
    }

    /// <summary>Builds the recipe's DAG (<c>bench.add</c> nodes, c as an attribute; with <paramref name="sleepMs"/>, every node waits that long).</summary>
    public static DagDefinition Build(GraphRecipe g, double sleepMs = 0)
    {
        var builder = new DagBuilder(g.Count);
        var attributes = new Dictionary<ulong, IReadOnlyDictionary<string, object?>>();
        for (var i = 0; i < g.Count; i++)
        {
            var c = g.C[i];
            IReadOnlyDictionary<string, object?>? attr = null;
            if ((c != 0 || sleepMs > 0) && !attributes.TryGetValue(c, out attr))
            {
                var fields = new Dictionary<string, object?>();
                if (c != 0) fields["c"] = c;
                if (sleepMs > 0) fields[BenchAddOperation.SleepAttribute] = sleepMs;
                attr = fields;
                attributes[c] = attr;
            }

            var index = builder.Operation(BenchAddOperation.OperatorName, 1, g.DepsOf(i), attr);
            if (index != i) throw new InvalidOperationException($"node {i} merged with node {index}: the recipe graph must have distinct nodes");
        }

        builder.AddGoal(new DagGoal("result", GoalKind.Node, g.Count - 1));
        return builder.Build(g.Shape);
    }

    /// <summary>graph_sha256 computed from the engine's DAG (not from the recipe arrays): proof that the engine runs the recipe's graph.</summary>
    public static string GraphSha256(DagDefinition dag) =>
        GraphRecipe.Sha256(dag.Nodes.Count, i => ConstantOf(dag.Nodes[i]), i => dag.Nodes[i].Arguments);

    private static ulong ConstantOf(DagNode node) => node.Attributes is { } a && a.TryGetValue("c", out var c) ? (ulong)c! : 0UL;

    /// <summary>
    /// Builds and runs the recipe <paramref name="repeat"/> times (fresh store each time, after an
    /// unmeasured warm-up) and reports the median pass by wall time, as the reference figures do.
    /// </summary>
    public static async Task<Dictionary<string, object?>> RunRecipeAsync(GraphRecipe recipe, string store, int concurrency, int spinUs, string? dumpGraph, int repeat,
        double sleepMs = 0)
    {
        var registry = new OperationRegistry();
        registry.Register(new BenchAddOperation(spinUs));
        var buildWatch = Stopwatch.StartNew();
        var dag = Build(recipe, sleepMs);
        var buildSeconds = buildWatch.Elapsed.TotalSeconds;
        var sha = GraphSha256(dag);
        if (dumpGraph is not null)
        {
            await using var w = new StreamWriter(dumpGraph);
            GraphRecipe.WriteText(w, dag.Nodes.Count, i => ConstantOf(dag.Nodes[i]), i => dag.Nodes[i].Arguments);
        }

        var passes = new List<Dictionary<string, object?>>();
        for (var i = 0; i < Math.Max(1, repeat); i++)
        {
            var pass = await RunOnceAsync(recipe, dag, registry, store, concurrency, warmUp: i == 0);
            pass["graph_sha256"] = sha;
            pass["build_s"] = Math.Round(buildSeconds, 4);
            passes.Add(pass);
            Console.Error.WriteLine($"pass {i + 1}: {passes[^1]["wall_s"]} s");
        }

        var median = passes.OrderBy(p => (double)p["wall_s"]!).ElementAt(passes.Count / 2);
        median["ok"] = passes.All(p => (bool)p["ok"]!);
        median["peak_rss_mb"] = passes.Max(p => (double)p["peak_rss_mb"]!);
        return median;
    }

    private static async Task<Dictionary<string, object?>> RunOnceAsync(GraphRecipe recipe, DagDefinition dag, OperationRegistry registry, string store,
        int concurrency, bool warmUp)
    {
        string? folder = null;
        // Each graph runs once per scheduler: a value cache across executions would only cost (--cache-size to measure it anyway).
        var config = new ExecutionConfig { StorageBackend = store, MaxConcurrentNodes = concurrency, CacheSize = CacheSize };
        if (store != "none")
        {
            folder = Path.Combine(Path.GetTempPath(), "voxbench-" + Guid.NewGuid().ToString("N")[..8]);
            config = config with { StoragePath = folder };
        }

        await using var scheduler = new DynamicScheduler(registry, new SchedulerOptions { MaxWorkers = Math.Max(concurrency, 1), ProgressInterval = TimeSpan.Zero });
        if (warmUp)
        {
            // Not measured: a small graph on the same backend (its own fresh folder), so the JIT has
            // tiered up the hot path, the store's included, before the first measured pass.
            var warmFolder = folder is null ? null : folder + "-warm";
            var warm = await scheduler.SubmitAsync(Build(GraphRecipe.Chain(50_000)), warmFolder is null ? config : config with { StoragePath = warmFolder });
            await warm.Completion;
            if (warmFolder is not null)
            {
                try
                {
                    Directory.Delete(warmFolder, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        }

        GC.Collect();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var watch = Stopwatch.StartNew();
        var execution = await scheduler.SubmitAsync(dag, config);
        var status = await execution.Completion;
        var wall = watch.Elapsed.TotalSeconds;
        // Every thread's allocations during the run (scheduler, workers, store), per node.
        var allocatedPerNode = (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / (double)dag.Nodes.Count;
        var goal = execution.GetGoalResults()[0];
        var value = goal.Value is ulong u ? u : 0UL;
        if (status != ExecutionStatus.Completed) Console.Error.WriteLine($"execution {status}: {goal.Error}");
        var peak = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);
        await scheduler.DisposeAsync();
        if (folder is not null)
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }

        return new Dictionary<string, object?>
        {
            ["engine"] = "voxscheduler",
            ["shape"] = recipe.Shape,
            ["nodes"] = dag.Nodes.Count,
            ["edges"] = dag.EdgeCount,
            ["graph_sha256"] = "",
            ["result"] = value,
            ["ok"] = status == ExecutionStatus.Completed && value == recipe.Expected,
            ["build_s"] = 0.0,
            ["wall_s"] = Math.Round(wall, 4),
            ["nodes_per_s"] = Math.Round(dag.Nodes.Count / wall, 1),
            ["peak_rss_mb"] = Math.Round(peak, 1),
            ["alloc_bytes_per_node"] = Math.Round(allocatedPerNode, 1),
            ["store"] = store,
            ["concurrency"] = concurrency,
        };
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Json(IReadOnlyDictionary<string, object?> fields) => JsonSerializer.Serialize(fields, JsonOptions);
}
