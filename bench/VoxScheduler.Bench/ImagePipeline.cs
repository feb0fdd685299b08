using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using VoxScheduler.Hosting;
using VoxScheduler.Images;
using VoxScheduler.Language;
using VoxScheduler.Operations.Builtins;
using VoxScheduler.Scheduling;

namespace VoxScheduler.Bench;

/// <summary>
/// The whole-pipeline parts of the <c>image</c> mode (BENCHMARKS.md §5): the segmentation of
/// IMAGES.md §6 with texture similarity, end to end through the language, the scheduler and
/// (with <c>--store hybrid</c>) the store, on the phantom saved as NIfTI; and a dataset of N
/// phantoms from seeds S..S+N−1 mapped through it (dir + map), without and with the scheduler's
/// memory budget for live values. Each run starts from a fresh scheduler and store, and its peak
/// RSS is the process's high-water mark reset just before it (Linux /proc/self/clear_refs), after
/// the earlier runs' memory was given back (pool emptied, aggressive collection).
/// </summary>
internal static class ImagePipeline
{
    /// <summary>
    /// The segmentation as a function of one case's file: the §6 shape (background touching the
    /// border, ranks within the brain, smoothed cores grown into a looser region) plus texture
    /// similarity, with thresholds that find the phantom's bright lesions (~200) at any size.
    /// </summary>
    private const string Segmentation = Steps + """

        segment(f) = volume(lesion(intensity(load(f))))
        """;

    /// <summary>The segmentation's steps up to <c>lesion(flair)</c> (the cluster mode applies them to generated phantoms).</summary>
    internal const string Steps = """
        import "vox1"
        brain(flair) = !touch(20 .>= flair, border)
        pflair(flair) = percentiles(flair, brain(flair), 0)
        hyper(flair) = smoothen(180 .<= flair, 2.0) & (0.5 .<= pflair(flair))
        very(flair) = smoothen(150 .<= flair, 1.0)
        similar(flair) = 0.3 .<= ~(flair, flair, 3, 20)
        lesion(flair) = grow(hyper(flair), very(flair)) & similar(flair)
        """;

    /// <summary>Runs the parts; returns the segmentation runs (store, wall seconds, the lesion's voxel count) for the peer's comparison.</summary>
    public static async Task<List<(string Store, double WallSeconds, string? Value)>> RunAsync(ImagePhantom volumes, BenchArgs a, string work)
    {
        var segmentations = new List<(string Store, double WallSeconds, string? Value)>();
        var oneCase = new Dictionary<string, Run>();
        var stores = a.Get("store", "none,hybrid").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var cases = a.Int("cases", 20);
        var seed = a.Int("seed", 1);
        var concurrency = a.Int("concurrency", 8);
        var caseBytes = (long)volumes.Count * 4;
        var budget = a.Long("memory-budget", 4 * caseBytes);

        var caseFolder = Directory.CreateDirectory(Path.Combine(work, "case"));
        var flair = Path.Combine(caseFolder.FullName, "flair.nii.gz");
        Write(flair, volumes);
        foreach (var store in stores)
        {
            var program = Segmentation + $"\nprint \"volume\" segment(\"{flair}\")\n";
            var run = await RunOnceAsync(program, store, work, concurrency, 0);
            Emit(run, new() { ["pipeline"] = "segmentation", ["store"] = store });
            oneCase[store] = run;
            segmentations.Add((store, run.WallSeconds, run.Value));
        }

        if (cases <= 0) return segmentations;
        var dataset = Directory.CreateDirectory(Path.Combine(work, "dataset"));
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < cases; i++)
        {
            Write(Path.Combine(dataset.FullName, $"case{i:D3}.nii.gz"), i == 0 ? volumes : ImagePhantom.Create(volumes.Nx, volumes.Ny, volumes.Nz, seed + i));
        }

        Console.Error.WriteLine($"dataset of {cases} cases written in {watch.Elapsed.TotalSeconds:F1} s");
        var mapped = Segmentation + $"\nprint \"volumes\" map(segment, dir(\"{dataset.FullName}\", \"*.nii.gz\", false, true))\n";
        var datasetStore = stores.Contains("hybrid") ? "hybrid" : stores[0];
        // --unbudgeted false: only the budgeted dataset run (the unbudgeted one holds every case at once).
        foreach (var limit in a.Get("unbudgeted", "true") == "false" ? new[] { budget } : new[] { 0L, budget })
        {
            var run = await RunOnceAsync(mapped, datasetStore, work, concurrency, limit);
            Emit(run, new()
            {
                ["pipeline"] = "dataset", ["cases"] = cases, ["store"] = datasetStore, ["memory_budget_mb"] = Math.Round(limit / 1048576.0, 1),
                ["cases_per_s"] = Math.Round(cases / run.WallSeconds, 3),
                // The dataset over N times one case of this run (same store; the target is at most 1).
                ["over_n_cases_wall"] = oneCase.TryGetValue(datasetStore, out var one) ? Math.Round(run.WallSeconds / (cases * one.WallSeconds), 3) : null,
                ["over_n_cases_cpu"] = oneCase.TryGetValue(datasetStore, out one)
                    ? Math.Round(Convert.ToDouble(run.Costs["cpu_ms"], CultureInfo.InvariantCulture) / (cases * Convert.ToDouble(one.Costs["cpu_ms"], CultureInfo.InvariantCulture)), 3) : null,
            });
        }

        return segmentations;
    }

    internal sealed record Run(double WallSeconds, double PeakRssMb, double PeakLiveMb, string Status, string? Value)
    {
        /// <summary>The run's own figures (differences over the run): CPU, collections, pause, voxel pool.</summary>
        public Dictionary<string, object?> Costs { get; init; } = [];
    }

    /// <summary>One run of <paramref name="program"/> on a fresh local scheduler (its registry: the built-ins, then <paramref name="configure"/>).</summary>
    internal static async Task<Run> RunOnceAsync(string program, string store, string work, int concurrency, long budget,
        Action<Operations.OperationRegistry>? configure = null)
    {
        var storePath = Path.Combine(work, "store-" + Guid.NewGuid().ToString("N"));
        // A fresh start for the peak: the earlier runs' pooled buffers let go, and their memory
        // given back to the system (an aggressive collection decommits what it frees), so the
        // high-water mark below is this run's and not what an earlier run left committed.
        VoxelBufferPool.Shared.Clear();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        ResetPeakRss();
        using var self = Process.GetCurrentProcess();
        var (user0, system0) = (self.UserProcessorTime, self.PrivilegedProcessorTime);
        var (gen0, gen1, gen2, pause0, allocated0) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration(), GC.GetTotalAllocatedBytes());
        var (created0, reused0) = (VoxelBufferPool.Shared.Created, VoxelBufferPool.Shared.Reused);
        var watch = Stopwatch.StartNew();
        var registry = BuiltinOperations.CreateRegistry();
        configure?.Invoke(registry);
        await using var scheduler = new DynamicScheduler(registry);
        var integration = new VoxLogicaIntegration(scheduler);
        var config = new ExecutionConfig
        {
            StorageBackend = store, StoragePath = storePath, MaxConcurrentNodes = concurrency, CacheSize = "0", MemoryBudget = budget,
        };
        var result = await integration.ExecuteProgramAsync(program, new CompileOptions { WorkingDirectory = work }, config);
        var wall = watch.Elapsed.TotalSeconds;
        self.Refresh();
        var gc = GC.GetGCMemoryInfo(GCKind.Any);
        var pool = VoxelBufferPool.Shared;
        // CPU time next to wall time: on a shared machine the wall time includes waiting for a core, this does not.
        var costs = new Dictionary<string, object?>
        {
            ["cpu_ms"] = Math.Round((self.TotalProcessorTime - user0 - system0).TotalMilliseconds),
            ["user_ms"] = Math.Round((self.UserProcessorTime - user0).TotalMilliseconds),
            ["system_ms"] = Math.Round((self.PrivilegedProcessorTime - system0).TotalMilliseconds),
            ["gc"] = new[] { GC.CollectionCount(0) - gen0, GC.CollectionCount(1) - gen1, GC.CollectionCount(2) - gen2 },
            ["gc_pause_ms"] = Math.Round((GC.GetTotalPauseDuration() - pause0).TotalMilliseconds),
            ["allocated_mb"] = (GC.GetTotalAllocatedBytes() - allocated0) >> 20,
            ["pool_created"] = pool.Created - created0,
            ["pool_reused"] = pool.Reused - reused0,
        };
        Console.Error.WriteLine($"gc: heap {gc.HeapSizeBytes >> 20} MB, committed {gc.TotalCommittedBytes >> 20} MB, fragmented {gc.FragmentedBytes >> 20} MB, " +
            $"gen2 {GC.CollectionCount(2)}, gen0 {GC.CollectionCount(0)}, allocated {GC.GetTotalAllocatedBytes() >> 20} MB; " +
            $"voxel pool: created {pool.Created}, reused {pool.Reused}, returned {pool.Returned}, dropped {pool.Dropped}, idle {pool.IdleBytes >> 20} MB; " +
            string.Join(", ", File.Exists("/proc/self/status") ? File.ReadLines("/proc/self/status").Where(l => l.StartsWith("Rss", StringComparison.Ordinal) || l.StartsWith("VmHWM", StringComparison.Ordinal)).Select(l => string.Join(' ', l.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))) : []));
        if (result.Status != ExecutionStatus.Completed)
        {
            // Say why (a failed run's line alone gives only its status): its goals, and how many nodes failed.
            foreach (var g in result.Goals) Console.Error.WriteLine($"goal {g.Name}: {g.Status} {g.Error}");
            Console.Error.WriteLine($"{result.Status}: {result.Progress.FailedNodes} failed node(s); free disk space at {work}: {new DriveInfo(work).AvailableFreeSpace >> 20} MB");
        }

        var goal = result.Goals.FirstOrDefault();
        var value = goal?.Value switch
        {
            object?[] items => "[" + string.Join(", ", items.Select(i => Convert.ToString(i, CultureInfo.InvariantCulture))) + "]",
            { } v => Convert.ToString(v, CultureInfo.InvariantCulture),
            null => goal?.Error,
        };
        return new Run(wall, PeakRssMb(), Math.Round(result.Progress.PeakLiveBytes / 1048576.0, 1), result.Status.ToString(), value) { Costs = costs };
    }

    private static void Emit(Run run, Dictionary<string, object?> line)
    {
        line["status"] = run.Status;
        line["wall_s"] = Math.Round(run.WallSeconds, 3);
        line["peak_rss_mb"] = run.PeakRssMb;
        line["peak_live_mb"] = run.PeakLiveMb;
        line["value"] = run.Value;
        foreach (var (name, figure) in run.Costs) line[name] = figure;
        Console.WriteLine(JsonSerializer.Serialize(line));
    }

    private static void Write(string path, ImagePhantom volumes)
    {
        var image = Image.FromNumbers(ImageGeometry.Of3D(volumes.Nx, volumes.Ny, volumes.Nz), volumes.Phantom);
        using var file = File.Create(path);
        ImageExport.WriteNifti(file, image, compressed: true);
    }

    // "5" resets the resident set's high-water mark (VmHWM) to the current RSS (Linux 4.0+).
    private static void ResetPeakRss()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine("cannot reset the peak RSS (/proc/self/clear_refs): peaks include earlier work");
        }
    }

    private static double PeakRssMb()
    {
        // "VmHWM:\t    1956 kB", or with no space after the tab once the figure has 8 digits.
        if (!File.Exists("/proc/self/status")) return Math.Round(Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0, 1);
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        var kb = line is null ? 0 : long.Parse(line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        return Math.Round(kb / 1024.0, 1);
    }
}
