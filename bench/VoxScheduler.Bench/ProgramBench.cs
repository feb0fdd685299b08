using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using VoxScheduler.Language;
using VoxScheduler.Operations.Builtins;
using VoxScheduler.Scheduling;

namespace VoxScheduler.Bench;

/// <summary>
/// <c>program FILE|GENERATOR [--store none|sqlite|filesystem|hybrid] [--storage-path DIR] [--runs N] [--reduce-only]</c>
/// (BENCHMARKS.md §2): runs a VoxLogicA program end to end and prints one JSON line per run.
/// GENERATOR writes the program first: <c>explosion:D</c> (VoxLogicA-2's function_explosion at
/// depth D), <c>fibonacci:N</c> (a chain of N declarations), <c>vox:E:B</c> (BENCHMARKS.md §3).
/// <c>--generate GENERATOR</c> prints the generated program and exits. With <c>--runs 2</c> the
/// second run reuses the first run's store (caching).
/// </summary>
internal static class ProgramBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        string? target = null;
        var store = "sqlite";
        string? storagePath = null;
        var runs = 1;
        var reduceOnly = false;
        var concurrency = Environment.ProcessorCount;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--store": store = args[++i]; break;
                case "--storage-path": storagePath = args[++i]; break;
                case "--runs": runs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--concurrency": concurrency = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--reduce-only": reduceOnly = true; break;
                case "--generate":
                    Console.Out.Write(Generate(args[++i]));
                    return 0;
                default:
                    if (target is not null || args[i].StartsWith("--", StringComparison.Ordinal))
                    {
                        Console.Error.WriteLine($"program: unknown argument '{args[i]}'");
                        return 2;
                    }

                    target = args[i];
                    break;
            }
        }

        if (target is null)
        {
            Console.Error.WriteLine("usage: program FILE|explosion:D|fibonacci:N|vox:E:B [--store none|sqlite|filesystem|hybrid] [--runs N] [--reduce-only] | --generate GENERATOR");
            return 2;
        }

        string file;
        var generated = false;
        if (File.Exists(target))
        {
            file = Path.GetFullPath(target);
        }
        else
        {
            file = Path.Combine(Path.GetTempPath(), $"vox-bench-{target.Replace(':', '-')}.imgql");
            File.WriteAllText(file, Generate(target));
            generated = true;
        }

        var temp = Directory.CreateTempSubdirectory("vox-bench-program-").FullName;
        storagePath ??= Path.Combine(temp, "store");
        try
        {
            return await RunProgramAsync(file, generated ? target : file, store, storagePath, runs, reduceOnly, concurrency, temp);
        }
        finally
        {
            try
            {
                Directory.Delete(temp, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task<int> RunProgramAsync(string file, string name, string store, string storagePath, int runs, bool reduceOnly, int concurrency, string work)
    {
        var registry = BuiltinOperations.CreateRegistry();
        var options = new CompileOptions { FilePath = file, WorkingDirectory = work };
        await using var scheduler = reduceOnly ? null : new DynamicScheduler(registry);
        for (var run = 1; run <= runs; run++)
        {
            var cpuBefore = CpuSeconds();
            var pauseBefore = GC.GetTotalPauseDuration();
            var gen2Before = GC.CollectionCount(2);
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            var jitBefore = System.Runtime.JitInfo.GetCompilationTime();
            var clock = Stopwatch.StartNew();
            var compiled = ProgramCompiler.CompileFile(file, registry, options);
            var reduceSeconds = clock.Elapsed.TotalSeconds;
            var reduceCpu = CpuSeconds() - cpuBefore;
            var reducePause = (GC.GetTotalPauseDuration() - pauseBefore).TotalSeconds;
            var reduceGen2 = GC.CollectionCount(2) - gen2Before;
            var reduceAllocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
            var reduceJit = (System.Runtime.JitInfo.GetCompilationTime() - jitBefore).TotalSeconds;
            var line = new Dictionary<string, object?>
            {
                ["engine"] = "voxscheduler",
                ["program"] = name,
                ["run"] = run,
                ["nodes"] = compiled.Dag.Nodes.Count,
                ["reduce_s"] = Math.Round(reduceSeconds, 4),
                // CPU seconds of the process while reducing: a steadier figure than wall time on a shared machine.
                ["reduce_cpu_s"] = Math.Round(reduceCpu, 4),
                // Time the reducing thread stood still for the garbage collector, and full collections it caused.
                ["reduce_gc_pause_s"] = Math.Round(reducePause, 4),
                ["reduce_gen2_gcs"] = reduceGen2,
                ["reduce_alloc_mb"] = Math.Round(reduceAllocated / (1024.0 * 1024.0), 1),
                // Time spent compiling methods to machine code (the first run pays it; later runs do not).
                ["reduce_jit_s"] = Math.Round(reduceJit, 4),
            };
            if (scheduler is not null)
            {
                var config = new ExecutionConfig
                {
                    StorageBackend = store,
                    StoragePath = storagePath,
                    MaxConcurrentNodes = concurrency,
                };
                var execution = await scheduler.SubmitAsync(compiled.Dag, config, new SubmitOptions { Source = name });
                var status = await execution.Completion;
                var wall = clock.Elapsed.TotalSeconds;
                var progress = execution.GetProgress();
                var goals = new Dictionary<string, object?>();
                foreach (var goal in execution.GetGoalResults())
                {
                    goals[goal.Name] = goal.Succeeded ? goal.Value : "error: " + goal.Error;
                }

                line["status"] = status.ToString();
                line["executed_nodes"] = progress.TotalNodes;
                line["computed"] = progress.ComputedNodes;
                line["cached"] = progress.CachedNodes;
                line["wall_s"] = Math.Round(wall, 4);
                line["cpu_s"] = Math.Round(CpuSeconds() - cpuBefore, 4);
                line["nodes_per_s"] = Math.Round(progress.TotalNodes / Math.Max(1e-9, wall - reduceSeconds), 1);
                line["store"] = store;
                line["goals"] = goals;
            }

            using var self = Process.GetCurrentProcess();
            line["peak_rss_mb"] = Math.Round(self.PeakWorkingSet64 / (1024.0 * 1024.0), 1);
            Console.Out.WriteLine(JsonSerializer.Serialize(line));
        }

        return 0;
    }

    private static double CpuSeconds()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime.TotalSeconds;
    }

    /// <summary>The text of a generated benchmark program.</summary>
    public static string Generate(string spec)
    {
        var parts = spec.Split(':');
        var sb = new StringBuilder();
        switch (parts[0])
        {
            case "explosion":
            {
                // VoxLogicA-2's tests/function_explosion generator, verbatim in shape.
                var depth = int.Parse(parts[1], CultureInfo.InvariantCulture);
                sb.AppendLine("// Function declaration based Fibonacci chain with combinatorial explosion");
                sb.AppendLine("let f0(x) = 1");
                sb.AppendLine("let f1(x) = 1");
                for (var i = 2; i <= depth; i++)
                {
                    sb.AppendLine(CultureInfo.InvariantCulture,
                        $"let f{i}(x) = f{i - 1}(x+1) + f{i - 2}(x-1) + f{i - 1}(x*2) + f{i - 2}(x/2) + f{i - 1}(x) + f{i - 2}(x)");
                }

                sb.AppendLine(CultureInfo.InvariantCulture, $"print \"function_explosion_f{depth}\" f{depth}(1)");
                break;
            }

            case "fibonacci":
            {
                var n = int.Parse(parts[1], CultureInfo.InvariantCulture);
                sb.AppendLine("let f0 = 1");
                sb.AppendLine("let f1 = 1");
                for (var i = 2; i <= n; i++)
                {
                    // Modulo keeps the numbers finite over 100,000 steps.
                    sb.AppendLine(CultureInfo.InvariantCulture, $"let f{i} = (f{i - 1} + f{i - 2}) % 1000000007");
                }

                sb.AppendLine(CultureInfo.InvariantCulture, $"print \"f{n}\" f{n}");
                break;
            }

            case "vox":
            {
                var e = int.Parse(parts[1], CultureInfo.InvariantCulture);
                var b = int.Parse(parts[2], CultureInfo.InvariantCulture);
                sb.AppendLine("import \"test\"");
                sb.AppendLine("let work(i,j) = spin(i * 1000000 + j, 0)");
                sb.AppendLine(CultureInfo.InvariantCulture, $"let body(i) = fold + (for j in range(0, {b}) do work(i,j))");
                sb.AppendLine(CultureInfo.InvariantCulture, $"print \"total\" fold + (for i in range(0, {e}) do body(i))");
                break;
            }

            default:
                throw new ArgumentException($"unknown generator '{spec}' (explosion:D, fibonacci:N, vox:E:B)");
        }

        return sb.ToString();
    }
}
