using System.Diagnostics;
using System.Text.Json;

namespace VoxScheduler.Bench;

/// <summary>
/// The <c>compare</c> mode: on the same shapes in the same run, VoxScheduler, the in-process
/// floor (a straight topological loop over the recipe's arrays) and, when Debian's python3-dask
/// is installed (bench/setup-dask.sh), Dask's threaded and synchronous schedulers on identical
/// graphs (bench/dask_bench.py prints the same graph_sha256). Then one ratio line per peer:
/// VoxScheduler's nodes/s over the peer's.
/// </summary>
internal static class CompareMode
{
    private static readonly string[] DefaultShapes = ["chain", "wide", "fib", "layered", "vox", "voxnary"];

    public static async Task<int> RunAsync(string[] args)
    {
        var a = new BenchArgs(args);
        DagMode.CacheSize = a.Get("cache-size", "0");
        var shapes = a.Get("shapes")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? DefaultShapes;
        var concurrency = a.Int("concurrency", Environment.ProcessorCount);
        var repeat = a.Int("repeat", 3);
        var script = a.Get("dask-script") ?? FindScript();
        // Debian's python3-dask lives in the system Python, which may not be the first python3 on PATH.
        var python = a.Get("python") ?? new[] { "python3", "/usr/bin/python3" }.FirstOrDefault(p => DaskAvailable(p));
        var dask = script is not null && python is not null && DaskAvailable(python);
        if (!dask) Console.Error.WriteLine("Dask is not installed (run bench/setup-dask.sh): comparing with the in-process floor only.");
        foreach (var shape in shapes)
        {
            var recipe = GraphRecipe.Create(shape, a);
            var ours = await DagMode.RunRecipeAsync(recipe, a.Get("store", "none"), concurrency, a.Int("spin-us", 0), null, repeat);
            Console.WriteLine(DagMode.Json(ours));
            var oursRate = (double)ours["nodes_per_s"]!;
            var peers = new List<Dictionary<string, object?>> { Baseline(recipe, repeat, (string)ours["graph_sha256"]!) };
            if (dask) peers.AddRange(RunDask(python!, script!, shape, a, concurrency, repeat));
            foreach (var peer in peers)
            {
                Console.WriteLine(DagMode.Json(peer));
                if (!Equals(peer["graph_sha256"], ours["graph_sha256"]))
                {
                    Console.Error.WriteLine($"{peer["engine"]} ran a different graph for {shape}: {peer["graph_sha256"]}");
                }

                var rate = Convert.ToDouble(peer["nodes_per_s"], System.Globalization.CultureInfo.InvariantCulture);
                Console.WriteLine(DagMode.Json(new Dictionary<string, object?>
                {
                    ["ratio"] = Math.Round(oursRate / rate, 3),
                    ["shape"] = shape,
                    ["engine"] = "voxscheduler",
                    ["over"] = peer["engine"],
                }));
            }
        }

        return 0;
    }

    /// <summary>The floor: one pass over the arrays in id order, as any scheduler must at least do.</summary>
    private static Dictionary<string, object?> Baseline(GraphRecipe recipe, int repeat, string sha)
    {
        GraphRecipe.Evaluate(recipe);
        var walls = new List<double>();
        ulong result = 0;
        for (var i = 0; i < Math.Max(1, repeat); i++)
        {
            var watch = Stopwatch.StartNew();
            result = GraphRecipe.Evaluate(recipe);
            walls.Add(watch.Elapsed.TotalSeconds);
        }

        var wall = walls.Order().ElementAt(walls.Count / 2);
        return new Dictionary<string, object?>
        {
            ["engine"] = "baseline-loop",
            ["shape"] = recipe.Shape,
            ["nodes"] = recipe.Count,
            ["edges"] = recipe.Edges,
            ["graph_sha256"] = sha,
            ["result"] = result,
            ["ok"] = result == recipe.Expected,
            ["build_s"] = 0.0,
            ["wall_s"] = Math.Round(wall, 6),
            ["nodes_per_s"] = Math.Round(recipe.Count / Math.Max(wall, 1e-9), 1),
            ["peak_rss_mb"] = Math.Round(Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0), 1),
            ["store"] = "none",
            ["concurrency"] = 1,
        };
    }

    private static IEnumerable<Dictionary<string, object?>> RunDask(string python, string script, string shape, BenchArgs a, int concurrency, int repeat)
    {
        var arguments = new List<string> { "--shape", shape, "--workers", concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--repeat", repeat.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        foreach (var name in new[] { "n", "L", "W", "seed", "E", "B" })
        {
            if (a.Get(name) is { } v)
            {
                arguments.Add("--" + name);
                arguments.Add(v);
            }
        }

        return RunPython(python, script, arguments, shape);
    }

    /// <summary>Runs a peer script and reads its JSON lines (one per engine).</summary>
    internal static List<Dictionary<string, object?>> RunPython(string python, string script, IEnumerable<string> arguments, string what)
    {
        var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        foreach (var arg in arguments) start.ArgumentList.Add(arg);

        using var process = Process.Start(start)!;
        var lines = new List<Dictionary<string, object?>>();
        while (process.StandardOutput.ReadLine() is { } line)
        {
            var parsed = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(line)!;
            lines.Add(parsed.ToDictionary(kv => kv.Key, kv => (object?)(kv.Value.ValueKind switch
            {
                JsonValueKind.String => kv.Value.GetString(),
                JsonValueKind.Number => kv.Value.TryGetUInt64(out var u) ? (object)u : kv.Value.GetDouble(),
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => null,
            })));
        }

        process.WaitForExit();
        if (process.ExitCode != 0) Console.Error.WriteLine($"{Path.GetFileName(script)} failed for {what} (exit {process.ExitCode})");
        return lines;
    }

    internal static bool DaskAvailable(string python, string module = "dask")
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo(python, ["-c", "import " + module]) { RedirectStandardError = true, UseShellExecute = false })!;
            p.WaitForExit();
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    internal static string? FindScript()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "bench", "dask_bench.py");
            if (File.Exists(candidate)) return candidate;
        }

        var here = Path.Combine(Directory.GetCurrentDirectory(), "bench", "dask_bench.py");
        return File.Exists(here) ? here : null;
    }
}
