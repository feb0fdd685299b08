using System.Diagnostics;
using System.Globalization;
using VoxScheduler.Cluster.Client;
using VoxScheduler.Scheduling;
using VoxScheduler.Tests;

namespace VoxScheduler.Bench;

/// <summary>
/// The <c>cluster</c> mode's image dataset (issue 16): the image bench's segmentation (IMAGES.md §6
/// with texture similarity, <see cref="ImagePipeline.Steps"/>) mapped over the phantoms of
/// <c>--image-cases</c> seeds, generated on the workers by <c>bench.phantom</c> (a cluster runs no
/// <c>load</c>) from a sequence known only while running (<c>bench.seeds</c>), so the <c>map</c>
/// expands at run time. Run on each of <c>--image-silos</c> silo counts (each pass in a fresh store
/// namespace, after one unmeasured warm-up pass on other seeds) and on the local scheduler of this
/// process, in memory and with its hybrid store; one JSON line each (cases/s, wall, the silos' CPU
/// time and each silo process's peak RSS), then ratio lines, and whether every run gave the same
/// voxel counts (<c>same_value</c>).
/// </summary>
/// <remarks>
/// Image nodes are heavy and their kernels are themselves parallel, and everything here shares
/// this machine's cores: each silo gets <c>--image-slots</c> slots (default 2, one node per core of
/// this 2-core machine per silo) rather than the trivial graphs' 8, which on three silos would put
/// 24 image nodes on 2 cores; the local scheduler runs as many nodes at once as one silo does.
/// </remarks>
internal static class ClusterImageRun
{
    /// <summary>The part's options.</summary>
    internal sealed record Options(int Cases, int Nx, int Ny, int Nz, int Seed, int Slots, int[] Silos, int LocalConcurrency, int Repeat, string[] LocalStores);

    /// <summary>The options from the command line; null with <c>--no-image</c>.</summary>
    public static Options? Parse(BenchArgs a, bool small)
    {
        if (a.Get("no-image") is not null) return null;
        var size = a.Get("image-size", small ? "32x32x32" : "64x64x64").Split('x');
        if (size.Length != 3 || !size.All(s => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 8 and <= 512))
        {
            throw new ArgumentException("--image-size is NXxNYxNZ with sides of 8 to 512 voxels, e.g. 64x64x64");
        }

        var cases = a.Int("image-cases", small ? 4 : 12);
        if (cases is < 1 or > 10_000) throw new ArgumentException("--image-cases takes 1 to 10000 cases");
        var slots = a.Int("image-slots", 2);
        if (slots is < 1 or > 64) throw new ArgumentException("--image-slots takes 1 to 64 slots per silo");
        var silos = (a.Get("image-silos") ?? "1,3").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.Parse(s, CultureInfo.InvariantCulture)).Distinct().Order().ToArray();
        if (silos.Length == 0 || silos.Any(n => n is < 1 or > 8)) throw new ArgumentException("--image-silos takes counts from 1 to 8, e.g. 1,3");
        var n = size.Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        return new Options(cases, n[0], n[1], n[2], a.Int("image-seed", 1), slots, silos, a.Int("image-local-concurrency", slots),
            Math.Max(1, a.Int("image-repeat", 1)), a.Get("image-local-stores", "none,hybrid").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    /// <summary>
    /// The segmentation's steps with <c>border</c>'s base image given: without a <c>load</c> in
    /// scope it has no implicit one (the local image bench's steps take it from the loaded file).
    /// </summary>
    private static readonly string Steps = ImagePipeline.Steps.Contains("touch(20 .>= flair, border)", StringComparison.Ordinal)
        ? ImagePipeline.Steps.Replace("touch(20 .>= flair, border)", "touch(20 .>= flair, border(flair))", StringComparison.Ordinal)
        : throw new InvalidOperationException("The image bench's segmentation no longer has the expected brain step.");

    /// <summary>The dataset program: the segmentation of each seed's phantom, mapped over seeds first … first+count−1.</summary>
    public static string Program(Options o, int first, int count) => Steps + string.Create(CultureInfo.InvariantCulture,
        $"\nsegment(s) = volume(lesion(intensity({BenchImageOperations.Phantom}({o.Nx}, {o.Ny}, {o.Nz}, s))))\nprint \"volumes\" map(segment, {BenchImageOperations.Seeds}({first}, {count}))\n");

    public static async Task<List<Dictionary<string, object?>>> RunAsync(Options o, PostgresServer postgres, RedisServer redis, int maxBatch)
    {
        var lines = new List<Dictionary<string, object?>>();
        var program = Program(o, o.Seed, o.Cases);
        Console.Error.WriteLine($"image dataset: {o.Cases} cases of {o.Nx}×{o.Ny}×{o.Nz}, {o.Slots} slots per silo, silos {string.Join(",", o.Silos)}; load {Load()}");
        foreach (var count in o.Silos)
        {
            await using var cluster = await BenchCluster.StartAsync(postgres, redis, count, o.Slots, maxBatch);
            await using var client = await cluster.ConnectAsync();
            // Not measured: every silo compiles the kernels (tiered JIT) on seeds the passes do not use.
            var warm = await RunPassAsync(cluster, client, Program(o, o.Seed + 1_000_000, Math.Min(o.Cases, count * o.Slots)), "image-warm-up");
            Console.Error.WriteLine($"{count} silos, image warm-up: {warm.Wall:0.000} s, {warm.Status}");
            var passes = new List<Pass>();
            for (var i = 0; i < o.Repeat; i++)
            {
                var pass = await RunPassAsync(cluster, client, program, "image-dataset");
                passes.Add(pass);
                Console.Error.WriteLine($"{count} silos, image dataset pass {i + 1}: {pass.Wall:0.000} s ({o.Cases / pass.Wall:0.000} cases/s), silos' CPU {pass.CpuSeconds:0.0} s, PostgreSQL's {pass.PostgresCpuSeconds:0.0} s, " +
                    $"peak RSS {string.Join(" / ", pass.PeakRssMb.Select(p => p?.ToString("0", CultureInfo.InvariantCulture) ?? "?"))} MB, {pass.Status}");
                if (pass.Status != nameof(ExecutionStatus.Completed)) Console.Error.WriteLine($"image dataset on {count} silos: {pass.Status} {pass.Value}");
            }

            var median = passes.OrderBy(p => p.Wall).ElementAt(passes.Count / 2);
            lines.Add(Emit(new()
            {
                ["engine"] = "voxscheduler-cluster",
                ["part"] = "image-dataset",
                ["silos"] = count,
                ["slots"] = count * o.Slots,
                ["cases"] = o.Cases,
                ["size"] = new[] { o.Nx, o.Ny, o.Nz },
                ["store"] = "postgres",
                ["ok"] = passes.All(p => p.Status == nameof(ExecutionStatus.Completed)),
                ["status"] = median.Status,
                ["wall_s"] = Math.Round(median.Wall, 3),
                ["cases_per_s"] = Math.Round(o.Cases / median.Wall, 3),
                ["silo_cpu_s"] = Math.Round(median.CpuSeconds, 2),
                // PostgreSQL's process tree (Linux; null elsewhere): every image goes through it, in and out.
                ["postgres_cpu_s"] = median.PostgresCpuSeconds is { } pg ? Math.Round(pg, 2) : null,
                ["peak_rss_mb_per_silo"] = median.PeakRssMb,
                ["nodes"] = median.Nodes,
                ["passes"] = passes.Count,
                ["value"] = median.Value,
            }));
        }

        var work = Directory.CreateTempSubdirectory("vox-cluster-image-");
        try
        {
            // Not measured: the local kernels compiled once, as the silos' were.
            await ImagePipeline.RunOnceAsync(Program(o, o.Seed + 1_000_000, Math.Min(o.Cases, o.LocalConcurrency)), "none", work.FullName, o.LocalConcurrency, 0,
                BenchImageOperations.Register);
            foreach (var store in o.LocalStores)
            {
                using var self = Process.GetCurrentProcess();
                var cpu = self.TotalProcessorTime;
                var run = await ImagePipeline.RunOnceAsync(program, store, work.FullName, o.LocalConcurrency, 0, BenchImageOperations.Register);
                self.Refresh();
                lines.Add(Emit(new()
                {
                    ["engine"] = "voxscheduler",
                    ["part"] = "image-dataset",
                    ["concurrency"] = o.LocalConcurrency,
                    ["cases"] = o.Cases,
                    ["size"] = new[] { o.Nx, o.Ny, o.Nz },
                    ["store"] = store,
                    ["ok"] = run.Status == nameof(ExecutionStatus.Completed),
                    ["status"] = run.Status,
                    ["wall_s"] = Math.Round(run.WallSeconds, 3),
                    ["cases_per_s"] = Math.Round(o.Cases / run.WallSeconds, 3),
                    // The whole bench process (its idle cluster client included).
                    ["cpu_s"] = Math.Round((self.TotalProcessorTime - cpu).TotalSeconds, 2),
                    ["peak_rss_mb"] = run.PeakRssMb,
                    ["peak_live_mb"] = run.PeakLiveMb,
                    ["value"] = run.Value,
                }));
            }
        }
        finally
        {
            work.Delete(recursive: true);
        }

        foreach (var ratio in Ratios(lines)) Emit(ratio);
        return lines;
    }

    private sealed record Pass(double Wall, double CpuSeconds, double? PostgresCpuSeconds, double?[] PeakRssMb, string Status, string? Value, int Nodes);

    /// <summary>One run of <paramref name="program"/> in a fresh namespace: wall time from submission to the end, the silos' CPU time and peak RSS over it.</summary>
    private static async Task<Pass> RunPassAsync(BenchCluster cluster, VoxClusterClient client, string program, string label)
    {
        var ns = await ClusterMode.FreshNamespaceAsync(cluster.Postgres, label);
        foreach (var silo in cluster.Silos) ProcessPeakMemory.Reset(silo.Process.Id);
        var cpu0 = cluster.Silos.Select(s => CpuSeconds(s.Process.Id)).Sum();
        var postgres0 = ProcessTreeCpu.Milliseconds(cluster.Postgres.ProcessId);
        var watch = Stopwatch.StartNew();
        var execution = await client.SubmitProgramAsync(program, new ClusterSubmitOptions { StoreNamespace = ns });
        var result = await execution.WaitAsync();
        var wall = watch.Elapsed.TotalSeconds;
        var cpu = cluster.Silos.Select(s => CpuSeconds(s.Process.Id)).Sum() - cpu0;
        var postgres = ProcessTreeCpu.Milliseconds(cluster.Postgres.ProcessId) - postgres0;
        var goal = result.Goals.FirstOrDefault();
        var value = result.Status == ExecutionStatus.Completed && goal?.Value is object?[] items ? Text(items) : result.Error ?? goal?.Error;
        return new Pass(wall, cpu, postgres / 1000, cluster.Silos.Select(s => ProcessPeakMemory.PeakMb(s.Process.Id)).ToArray(), result.Status.ToString(), value,
            result.Progress.TotalNodes);
    }

    /// <summary>The largest cluster's cases/s over the smallest's and over each local run's.</summary>
    private static IEnumerable<Dictionary<string, object?>> Ratios(List<Dictionary<string, object?>> lines)
    {
        var clusters = lines.Where(l => Equals(l["engine"], "voxscheduler-cluster")).OrderBy(l => (int)l["silos"]!).ToList();
        if (clusters.Count == 0) return [];
        var largest = clusters[^1];
        var values = lines.Select(l => l["value"] as string).Distinct().ToList();
        return lines.Where(l => !ReferenceEquals(l, largest) && Rate(l) > 0).Select(peer => new Dictionary<string, object?>
        {
            ["ratio"] = Math.Round(Rate(largest) / Rate(peer), 3),
            ["part"] = "image-dataset",
            ["engine"] = $"voxscheduler-cluster ({largest["silos"]} silos)",
            ["over"] = Equals(peer["engine"], "voxscheduler-cluster") ? $"voxscheduler-cluster ({peer["silos"]} silos)" : $"voxscheduler ({peer["store"]})",
            // Every run segmented the same cases alike (the lesions' voxel counts).
            ["same_value"] = values.Count == 1,
        });
    }

    private static double Rate(Dictionary<string, object?> line) => Convert.ToDouble(line["cases_per_s"], CultureInfo.InvariantCulture);

    private static double CpuSeconds(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.TotalProcessorTime.TotalSeconds;
        }
        catch (ArgumentException)
        {
            return 0; // exited
        }
    }

    private static string Text(object?[] items) => "[" + string.Join(", ", items.Select(i => Convert.ToString(i, CultureInfo.InvariantCulture))) + "]";

    private static string Load() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "unknown";

    private static Dictionary<string, object?> Emit(Dictionary<string, object?> line)
    {
        Console.WriteLine(DagMode.Json(line));
        return line;
    }
}
