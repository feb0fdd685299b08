using System.Diagnostics;
using System.Globalization;
using VoxScheduler.Cluster.Client;
using VoxScheduler.Cluster.Postgres;
using VoxScheduler.Scheduling;
using VoxScheduler.Tests;

namespace VoxScheduler.Bench;

/// <summary>
/// The <c>cluster</c> mode (BENCHMARKS.md §6): nodes/s of the cluster with 1, 2 and 3 silo
/// processes on loopback (PostgreSQL and Redis started here) on the trivial layered graph and on
/// a layered graph of 10 ms nodes; in the same run the local scheduler (in memory and with a
/// sqlite store) and Dask distributed (<c>LocalCluster</c>) on the same graphs; then one silo
/// SIGKILLed at half the nodes (<see cref="ClusterKillRun"/>). One JSON line per engine, graph and
/// silo count (medians of --repeat passes), then ratio lines. First, unless <c>--no-image</c>, an
/// image dataset on 1 and 3 silos next to the local scheduler (<see cref="ClusterImageRun"/>).
/// </summary>
internal static class ClusterMode
{
    /// <summary>A graph of the run: its label in the JSON lines, the recipe and how long each node waits.</summary>
    private sealed record Graph(string Label, GraphRecipe Recipe, double SleepMs, bool Dask);

    public static async Task<int> RunAsync(string[] args)
    {
        var a = new BenchArgs(args);
        var small = a.Get("small") is not null;
        var silos = (a.Get("silos") ?? "1,2,3").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.Parse(s, CultureInfo.InvariantCulture)).Distinct().Order().ToArray();
        if (silos.Length == 0 || silos.Any(n => n is < 1 or > 8)) throw new ArgumentException("--silos takes counts from 1 to 8, e.g. 1,2,3");
        var slots = a.Int("slots", 8);
        var maxBatch = a.Int("max-batch", 64);
        var repeat = Math.Max(1, a.Int("repeat", small ? 1 : 3));
        var sleepMs = double.Parse(a.Get("sleep-ms", "10"), CultureInfo.InvariantCulture);
        var seed = (ulong)a.Long("seed", 42);
        BenchCluster.ShowLogs = a.Get("silo-log") is not null;
        var images = ClusterImageRun.Parse(a, small);
        // --image-only: only the image dataset (its silos, its local runs); the graphs, the kill and Dask are left out.
        var imageOnly = a.Get("image-only") is not null;
        if (imageOnly && images is null) throw new ArgumentException("--image-only and --no-image leave nothing to run");
        var graphs = new List<Graph>
        {
            new("trivial", GraphRecipe.Layered(a.Int("L", small ? 10 : 100), a.Int("W", small ? 100 : 1000), seed), 0, a.Get("dask-full") is not null),
            // Dask distributed takes minutes on 100k nodes here (BENCHMARKS.md §4): the same recipe at 10k nodes is its comparison.
            new("trivial-10k", GraphRecipe.Layered(a.Int("dask-L", small ? 10 : 100), a.Int("dask-W", small ? 50 : 100), seed), 0, true),
            new("sleep", GraphRecipe.Layered(a.Int("sleep-L", small ? 4 : 20), a.Int("sleep-W", small ? 40 : 200), seed), sleepMs, true),
        };
        // --graphs trivial,sleep: only these (an A/B of one graph without the others' minutes); the warm-up still uses the trivial graph.
        var only = a.Get("graphs")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        if (only is not null && only.FirstOrDefault(o => graphs.All(g => g.Label != o)) is { } unknown)
            throw new ArgumentException($"--graphs takes labels of {string.Join(", ", graphs.Select(g => g.Label))}, not '{unknown}'");
        var warmUp = graphs[0].Recipe;
        if (only is not null) graphs.RemoveAll(g => !only.Contains(g.Label));
        Console.Error.WriteLine($"command: dotnet run -c Release --project bench/VoxScheduler.Bench -- cluster {string.Join(' ', args)}");

        var havePostgres = PostgresServer.FindBinaries(out var noPostgres) is not null;
        var haveRedis = RedisServer.FindBinary(out var noRedis) is not null;
        if (!havePostgres || !haveRedis)
        {
            Console.Error.WriteLine($"cluster: PostgreSQL and Redis are needed (run bench/setup-cluster.sh): {noPostgres} {noRedis}".Trim());
            return 2;
        }

        var lines = new List<Dictionary<string, object?>>();
        await using (var postgres = await PostgresServer.StartAsync())
        await using (var redis = await RedisServer.StartAsync())
        {
            if (images is not null) lines.AddRange(await ClusterImageRun.RunAsync(images, postgres, redis, maxBatch));
            if (imageOnly) return lines.All(l => l["ok"] is not false) ? 0 : 1;
            foreach (var count in silos)
            {
                await using var cluster = await BenchCluster.StartAsync(postgres, redis, count, slots, maxBatch);
                await using var client = await cluster.ConnectAsync();
                await WarmUpAsync(client, postgres, warmUp, 0);
                foreach (var graph in graphs)
                {
                    // Each graph's own unmeasured pass first, as the local runs have (DagMode): a graph of waiting nodes takes
                    // code paths the trivial warm-up does not (calls of several long nodes), and their JIT compilation
                    // took a fifth of the silos' CPU in the first pass of the 10 ms graph.
                    if (graph.Recipe != warmUp) await WarmUpAsync(client, postgres, graph.Recipe, graph.SleepMs);
                    lines.Add(Emit(await RunAsync(cluster, client, graph, repeat)));
                }
            }

            if (a.Get("no-kill") is null)
            {
                var killSilos = Math.Max(silos.Max(), 2);
                await using var cluster = await BenchCluster.StartAsync(postgres, redis, killSilos, slots, maxBatch);
                await using var client = await cluster.ConnectAsync();
                await WarmUpAsync(client, postgres, warmUp, 0);
                lines.Add(Emit(await ClusterKillRun.RunAsync(cluster, client, warmUp, "trivial")));
            }
        }

        var concurrency = silos.Max() * slots;
        foreach (var graph in a.Get("no-local") is null ? graphs : [])
        {
            // The local scheduler: trivial nodes on this machine's cores; waiting nodes with as many at once as the largest cluster has slots.
            var local = graph.SleepMs > 0 ? concurrency : Environment.ProcessorCount;
            foreach (var store in new[] { "none", "sqlite" })
            {
                var line = await DagMode.RunRecipeAsync(graph.Recipe, store, local, 0, null, repeat, graph.SleepMs);
                line["graph"] = graph.Label;
                line["sleep_ms"] = graph.SleepMs;
                if (graph.SleepMs > 0) line["node_wait_ms"] = await NodeWaitAsync(graph.SleepMs, local);
                lines.Add(Emit(line));
            }
        }

        if (a.Get("no-dask") is null) lines.AddRange(RunDask(a, graphs.Where(g => g.Dask), silos.Max(), slots, repeat));
        foreach (var ratio in Ratios(lines, silos.Max())) Emit(ratio);
        return lines.All(l => l["ok"] is not false) ? 0 : 1;
    }

    /// <summary>Runs <paramref name="graph"/> <paramref name="repeat"/> times, each in a fresh store namespace, and reports the median pass.</summary>
    private static async Task<Dictionary<string, object?>> RunAsync(BenchCluster cluster, VoxClusterClient client, Graph graph, int repeat)
    {
        var dag = DagMode.Build(graph.Recipe, graph.SleepMs);
        var sha = DagMode.GraphSha256(dag);
        var passes = new List<(double Wall, double Submit, double Exec, bool Ok, object? Result, double[] Cpu)>();
        for (var i = 0; i < repeat; i++)
        {
            var ns = await FreshNamespaceAsync(cluster.Postgres, graph.Label);
            var cpu0 = Cpu(cluster);
            var watch = Stopwatch.StartNew();
            var execution = await client.SubmitDagAsync(dag, new ClusterSubmitOptions { StoreNamespace = ns });
            var submitted = watch.Elapsed.TotalSeconds;
            var result = await execution.WaitAsync();
            var wall = watch.Elapsed.TotalSeconds;
            var cpu = Cpu(cluster).Zip(cpu0, (b, a) => (b - a) / dag.Nodes.Count).ToArray();
            var value = result.Goals.Count == 1 ? result.Goals[0].Value : null;
            var ok = result.Status == ExecutionStatus.Completed && value is ulong u && u == graph.Recipe.Expected;
            if (!ok) Console.Error.WriteLine($"cluster {graph.Label}: {result.Status} {result.Error} value {value}");
            passes.Add((wall, submitted, result.Progress.Elapsed.TotalSeconds, ok, value, cpu));
            Console.Error.WriteLine($"{cluster.Silos.Count} silos, {graph.Label} pass {i + 1}: {wall:0.000} s ({dag.Nodes.Count / wall:0} nodes/s, submission {submitted:0.000} s; "
                + $"CPU ms per node: silos {cpu[0]:0.000}, postgres {cpu[1]:0.000}, bench {cpu[2]:0.000}; load {LoadAverage()})");
        }

        var median = passes.OrderBy(p => p.Wall).ElementAt(passes.Count / 2);
        var totalSlots = cluster.Silos.Count * cluster.Slots;
        var line = new Dictionary<string, object?>
        {
            ["engine"] = "voxscheduler-cluster",
            ["silos"] = cluster.Silos.Count,
            ["slots"] = totalSlots,
            ["max_batch"] = cluster.MaxBatch,
            ["graph"] = graph.Label,
            ["shape"] = graph.Recipe.Shape,
            ["nodes"] = dag.Nodes.Count,
            ["edges"] = dag.EdgeCount,
            ["graph_sha256"] = sha,
            ["sleep_ms"] = graph.SleepMs,
            ["result"] = median.Result,
            ["ok"] = passes.All(p => p.Ok),
            ["submit_s"] = Math.Round(median.Submit, 4),
            ["exec_s"] = Math.Round(median.Exec, 4),
            ["wall_s"] = Math.Round(median.Wall, 4),
            ["nodes_per_s"] = Math.Round(dag.Nodes.Count / median.Wall, 1),
            ["passes"] = passes.Count,
            ["store"] = "postgres",
            // CPU per node of the median pass (milliseconds): all silo processes (the coordinator runs in one), PostgreSQL's process tree (Linux), this process.
            ["cpu_ms_per_node"] = new Dictionary<string, object?>
            {
                ["silos"] = Math.Round(median.Cpu[0], 3), ["postgres"] = double.IsNaN(median.Cpu[1]) ? null : Math.Round(median.Cpu[1], 3), ["bench"] = Math.Round(median.Cpu[2], 3),
            },
        };
        if (graph.SleepMs > 0)
        {
            // The issue's target: within 80 % of slots / node time.
            var ideal = totalSlots * 1000.0 / graph.SleepMs;
            line["ideal_nodes_per_s"] = Math.Round(ideal, 1);
            line["of_ideal"] = Math.Round(dag.Nodes.Count / median.Wall / ideal, 3);
            line["node_wait_ms"] = await NodeWaitAsync(graph.SleepMs, totalSlots);
        }

        return line;
    }

    /// <summary>
    /// What a node's wait of <paramref name="sleepMs"/> takes on this machine, <paramref name="concurrent"/>
    /// at a time (mean milliseconds, in this process, through the nodes' own <see cref="PreciseDelay"/>):
    /// the figure "slots ÷ node time" is an ideal only if the nodes wait what they are asked to.
    /// </summary>
    private static async Task<double> NodeWaitAsync(double sleepMs, int concurrent) =>
        Math.Round(await PreciseDelay.MeasureAsync(TimeSpan.FromMilliseconds(sleepMs), concurrent, 20 * concurrent), 3);

    /// <summary>CPU milliseconds so far of the silo processes, PostgreSQL (NaN off Linux) and this process.</summary>
    private static double[] Cpu(BenchCluster cluster)
    {
        double silos = 0;
        foreach (var silo in cluster.Silos)
        {
            try
            {
                using var process = Process.GetProcessById(silo.Process.Id);
                silos += process.TotalProcessorTime.TotalMilliseconds;
            }
            catch (ArgumentException)
            {
                // Exited.
            }
        }

        using var self = Process.GetCurrentProcess();
        return [silos, ProcessTreeCpu.Milliseconds(cluster.Postgres.ProcessId) ?? double.NaN, self.TotalProcessorTime.TotalMilliseconds];
    }

    private static string LoadAverage()
    {
        try
        {
            return OperatingSystem.IsLinux() ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
        }
        catch (IOException)
        {
            return "n/a";
        }
    }

    /// <summary>A store namespace that exists before the clock starts (its schema is created here, not inside the measured run).</summary>
    internal static async Task<string> FreshNamespaceAsync(PostgresServer postgres, string label)
    {
        var ns = $"bench/{label}/{Guid.NewGuid():N}";
        await using var store = await PostgresResultStore.OpenAsync(postgres.ConnectionString, ns);
        return ns;
    }

    /// <summary>
    /// Not measured: one pass of the first graph, so the silos' code is compiled and optimised
    /// (tiered compilation) before the first measured pass. A small warm-up graph left most of
    /// that work inside the measured passes: the silos' CPU per node fell by about two thirds
    /// from the first to the fourth 100k-node pass.
    /// </summary>
    private static async Task WarmUpAsync(VoxClusterClient client, PostgresServer postgres, GraphRecipe recipe, double sleepMs)
    {
        var watch = Stopwatch.StartNew();
        var dag = DagMode.Build(recipe, sleepMs);
        var result = await (await client.SubmitDagAsync(dag, new ClusterSubmitOptions { StoreNamespace = await FreshNamespaceAsync(postgres, "warm-up") })).WaitAsync();
        if (result.Status != ExecutionStatus.Completed) throw new InvalidOperationException($"The warm-up run ended {result.Status}: {result.Error}");
        Console.Error.WriteLine($"warm-up pass ({dag.Nodes.Count} nodes, not measured): {watch.Elapsed.TotalSeconds:0.000} s");
    }

    /// <summary>Dask distributed (LocalCluster, as many workers as the largest cluster has silos, each with as many threads as a silo has slots) on the same graphs.</summary>
    private static IEnumerable<Dictionary<string, object?>> RunDask(BenchArgs a, IEnumerable<Graph> graphs, int workers, int threads, int repeat)
    {
        var script = a.Get("dask-script") ?? CompareMode.FindScript();
        var python = a.Get("python") ?? new[] { "python3", "/usr/bin/python3" }.FirstOrDefault(p => CompareMode.DaskAvailable(p, "distributed"));
        if (script is null || python is null)
        {
            Console.Error.WriteLine("Dask distributed is not installed (run bench/setup-cluster.sh): no Dask lines.");
            yield break;
        }

        foreach (var graph in graphs)
        {
            var r = graph.Recipe;
            var arguments = new List<string>
            {
                "--shape", "layered", "--L", Text(r.Count / LayerWidth(r)), "--W", Text(LayerWidth(r)), "--seed", a.Get("seed", "42"),
                "--scheduler", "distributed", "--workers", Text(workers), "--threads", Text(threads), "--repeat", Text(repeat),
                "--sleep-ms", graph.SleepMs.ToString(CultureInfo.InvariantCulture),
            };
            foreach (var line in CompareMode.RunPython(python, script, arguments, graph.Label))
            {
                line["graph"] = graph.Label;
                yield return Emit(line);
            }
        }
    }

    /// <summary>The width of a layered recipe (its sink depends on every node of the last layer).</summary>
    private static int LayerWidth(GraphRecipe r) => r.DepStart[r.Count] - r.DepStart[r.Count - 1];

    /// <summary>The largest cluster's nodes/s over each peer's on the same graph.</summary>
    private static IEnumerable<Dictionary<string, object?>> Ratios(List<Dictionary<string, object?>> lines, int silos)
    {
        foreach (var ours in lines.Where(l => Equals(l["engine"], "voxscheduler-cluster") && Equals(l["silos"], silos) && l.ContainsKey("nodes_per_s")))
        {
            foreach (var peer in lines.Where(l => !Equals(l["engine"], "voxscheduler-cluster") && Equals(l.GetValueOrDefault("graph"), ours["graph"])))
            {
                var rate = Convert.ToDouble(peer["nodes_per_s"], CultureInfo.InvariantCulture);
                if (rate <= 0) continue;
                yield return new Dictionary<string, object?>
                {
                    ["ratio"] = Math.Round(Convert.ToDouble(ours["nodes_per_s"], CultureInfo.InvariantCulture) / rate, 3),
                    ["graph"] = ours["graph"],
                    ["engine"] = $"voxscheduler-cluster ({silos} silos)",
                    ["over"] = peer["engine"] + (peer.GetValueOrDefault("store") is string store && store != "none" ? $" ({store})" : string.Empty),
                };
            }
        }
    }

    private static Dictionary<string, object?> Emit(Dictionary<string, object?> line)
    {
        Console.WriteLine(DagMode.Json(line));
        return line;
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
