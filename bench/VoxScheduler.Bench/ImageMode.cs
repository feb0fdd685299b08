using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using VoxScheduler.Images;
using VoxScheduler.Images.Kernels;

namespace VoxScheduler.Bench;

/// <summary>
/// The <c>image</c> mode (BENCHMARKS.md §5): milliseconds per vox1 primitive on in-memory values
/// (output buffers allocated once, as a scheduler's pooled buffers are), on the phantom and the
/// noise volume of <see cref="ImagePhantom"/>; then the same work on the Debian peers (numpy,
/// scipy.ndimage, scipy.stats, nibabel) in the same run through bench/image_bench.py, which reads
/// the very same voxels; then one ratio line per primitive: the peer's time over ours.
/// </summary>
/// <remarks>
/// Then the whole segmentation pipeline and the dataset run (<see cref="ImagePipeline"/>), unless
/// <c>--pipeline false</c>; <c>--kernels false</c> leaves out the per-primitive part.
/// </remarks>
internal static class ImageMode
{
    public static Task<int> RunAsync(string[] args)
    {
        var a = new BenchArgs(args);
        var size = a.Get("size", "240x240x155").Split('x');
        if (size.Length != 3) throw new ArgumentException("--size is NXxNYxNZ, e.g. 240x240x155");
        var (nx, ny, nz) = (int.Parse(size[0], CultureInfo.InvariantCulture), int.Parse(size[1], CultureInfo.InvariantCulture), int.Parse(size[2], CultureInfo.InvariantCulture));
        var seed = a.Int("seed", 1);
        var repeat = Math.Max(1, a.Int("repeat", 5));
        var only = a.Get("primitives")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();

        var watch = Stopwatch.StartNew();
        var volumes = ImagePhantom.Create(nx, ny, nz, seed);
        Console.Error.WriteLine($"volumes {nx}×{ny}×{nz} from seed {seed} in {watch.Elapsed.TotalSeconds:F1} s; {Environment.ProcessorCount} cores; load {Load()}");
        Console.WriteLine(Json(new()
        {
            ["volumes"] = new[] { "phantom", "noise" },
            ["size"] = new[] { nx, ny, nz },
            ["seed"] = seed,
            ["phantom_sha256"] = ImagePhantom.Sha256(volumes.Phantom),
            ["noise_sha256"] = ImagePhantom.Sha256(volumes.Noise),
        }));

        var ours = new List<Dictionary<string, object?>>();
        var kernels = a.Get("kernels", "true") != "false";
        var pipeline = a.Get("pipeline", "true") != "false";
        var segmentations = new List<(string Store, double WallSeconds, string? Value)>();
        // --work: where the scratch folder goes (the dataset and its store take several GB); default the system's temp folder.
        var work = a.Get("work") is { } parent ? Directory.CreateDirectory(Path.Combine(parent, "vox-image-bench-" + Guid.NewGuid().ToString("N")[..8]))
            : Directory.CreateTempSubdirectory("vox-image-bench-");
        try
        {
            foreach (var (primitive, volume, run) in kernels ? Kernels(volumes, work.FullName) : [])
            {
                if (only is not null && !only.Contains(primitive)) continue;
                var line = Measure("voxscheduler", primitive, volume, volumes, repeat, run);
                ours.Add(line);
                Console.WriteLine(Json(line));
            }

            if (pipeline) segmentations = ImagePipeline.RunAsync(volumes, a, work.FullName).GetAwaiter().GetResult();
        }
        finally
        {
            work.Delete(recursive: true);
        }

        if (!kernels && !pipeline) return Task.FromResult(0);

        var python = a.Get("python") ?? "/usr/bin/python3";
        var script = a.Get("peer-script") ?? FindScript();
        if (script is null || !PeersAvailable(python))
        {
            Console.Error.WriteLine("numpy/scipy/nibabel are not installed for " + python + " (run bench/setup-images.sh): no peer lines.");
            return Task.FromResult(0);
        }

        // The peer's whole segmentation (same phantom, same steps) beside ours, when the pipeline ran.
        var parts = string.Join(',', new[] { pipeline ? "segmentation" : null, kernels ? "kernels" : null }.OfType<string>());
        foreach (var peer in RunPeers(python, script, volumes, repeat, only, parts, a.Int("pipeline-repeat", 1)))
        {
            Console.WriteLine(Json(peer));
            if (peer.ContainsKey("pipeline"))
            {
                foreach (var (store, wall, value) in segmentations)
                {
                    Console.WriteLine(Json(new()
                    {
                        ["ratio"] = Math.Round(Convert.ToDouble(peer["ms"], CultureInfo.InvariantCulture) / (wall * 1000), 3),
                        ["pipeline"] = "segmentation",
                        ["store"] = store,
                        ["engine"] = "voxscheduler",
                        ["over"] = peer["engine"],
                        // The two masks agree when their voxel counts do (the goal is the lesion's volume).
                        ["same_value"] = value == Convert.ToString(peer["value"], CultureInfo.InvariantCulture),
                    }));
                }

                continue;
            }

            var mine = ours.FirstOrDefault(o => Equals(o["primitive"], peer["primitive"]) && Equals(o["volume"], peer["volume"]));
            if (mine is null) continue;
            Console.WriteLine(Json(new()
            {
                ["ratio"] = Math.Round(Convert.ToDouble(peer["ms"], CultureInfo.InvariantCulture) / (double)mine["ms"]!, 3),
                ["primitive"] = peer["primitive"],
                ["volume"] = peer["volume"],
                ["engine"] = "voxscheduler",
                ["over"] = peer["engine"],
            }));
        }

        return Task.FromResult(0);
    }

    /// <summary>Every timed primitive: name, volume, and the work (on buffers made once, outside the timing).</summary>
    private static IEnumerable<(string Primitive, string Volume, Action Run)> Kernels(ImagePhantom v, string work)
    {
        var none = CancellationToken.None;
        var grid = new VoxelGrid(v.Nx, v.Ny, v.Nz);
        var n = v.Count;
        var phantom = v.Phantom;
        var a40 = new byte[n];
        var a150 = new byte[n];
        VoxelArithmetic.CompareScalar<FloatOps.Geq>(phantom, 40f, false, a40, none);
        VoxelArithmetic.CompareScalar<FloatOps.Geq>(phantom, 150f, false, a150, none);
        var noiseSeeds = new byte[n];
        VoxelLogic.And(v.Noise, a150, noiseSeeds, none);
        var bytesOut = new byte[n];
        var floatsOut = new float[n];
        var (min, max) = VoxelReductions.MinMax(phantom, none);

        yield return ("and", "phantom", () => VoxelLogic.And(a40, a150, bytesOut, none));
        yield return ("or", "phantom", () => VoxelLogic.Or(a40, a150, bytesOut, none));
        yield return ("not", "phantom", () => VoxelLogic.Not(a40, bytesOut, none));
        yield return ("geq_sv", "phantom", () => VoxelArithmetic.CompareScalar<FloatOps.Geq>(phantom, 40f, false, bytesOut, none));
        yield return ("mask", "phantom", () => VoxelLogic.Mask(phantom, a40, floatsOut, none));
        yield return ("+", "phantom", () => VoxelArithmetic.Binary<FloatOps.Add>(phantom, phantom, floatsOut, none));
        foreach (var (volume, mask, seeds) in new[] { ("phantom", a40, a150), ("noise", v.Noise, noiseSeeds) })
        {
            yield return ("near", volume, () => BoxMorphology.Near(mask, bytesOut, grid, none));
            yield return ("interior", volume, () => BoxMorphology.Interior(mask, bytesOut, grid, none));
            yield return ("lcc", volume, () => ComponentQueries.Labels(mask, floatsOut, grid, none));
            yield return ("through", volume, () => ComponentQueries.Through(seeds, mask, bytesOut, grid, none));
            yield return ("maxvol", volume, () => ComponentQueries.MaxVolume(mask, bytesOut, grid, none));
            yield return ("dt", volume, () => DistanceTransform.Signed(mask, floatsOut, grid, none));
        }

        yield return ("percentiles", "phantom", () => Percentiles.Compute(phantom, a40, 0.5, floatsOut, none));
        yield return ("crossCorrelation", "phantom", () => CrossCorrelation.Compute(3, phantom, phantom, a40, min, max, 20, floatsOut, grid, none));

        var image = Image.FromNumbers(ImageGeometry.Of3D(v.Nx, v.Ny, v.Nz), phantom);
        var file = Path.Combine(work, "phantom.nii.gz");
        yield return ("nifti_write", "phantom", () =>
        {
            using var output = File.Create(file);
            ImageExport.WriteNifti(output, image, compressed: true);
        });
        yield return ("nifti_read", "phantom", () =>
        {
            var read = (Image)Values.ValueKinds.ReaderFor(file)!.Read(file, File.ReadAllBytes(file));
            GC.KeepAlive(read);
        });
    }

    private static Dictionary<string, object?> Measure(string engine, string primitive, string volume, ImagePhantom v, int repeat, Action run)
    {
        run(); // warm-up: JIT, first touch of the buffers
        var times = new List<double>();
        var cpu = new List<double>();
        using var self = Process.GetCurrentProcess();
        for (var i = 0; i < repeat; i++)
        {
            self.Refresh();
            var cpu0 = self.TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            run();
            times.Add(watch.Elapsed.TotalMilliseconds);
            self.Refresh();
            cpu.Add((self.TotalProcessorTime - cpu0).TotalMilliseconds);
        }

        var ms = times.Order().ElementAt(times.Count / 2);
        return new()
        {
            ["engine"] = engine,
            ["primitive"] = primitive,
            ["volume"] = volume,
            ["size"] = new[] { v.Nx, v.Ny, v.Nz },
            ["ms"] = Math.Round(ms, 2),
            // CPU time of the whole process (all threads) in the same runs: on a loaded machine
            // wall time includes waiting for a core, this does not (it is ~10 ms granular).
            ["cpu_ms"] = Math.Round(cpu.Order().ElementAt(cpu.Count / 2), 1),
            ["voxels_per_s"] = Math.Round(v.Count / (ms / 1000), 0),
        };
    }

    private static IEnumerable<Dictionary<string, object?>> RunPeers(string python, string script, ImagePhantom v, int repeat, HashSet<string>? only,
        string parts, int pipelineRepeat)
    {
        // The peers read the very same voxels: raw float32 and uint8 files, x fastest.
        var folder = Directory.CreateTempSubdirectory("vox-image-peers-");
        try
        {
            var phantomFile = Path.Combine(folder.FullName, "phantom.f32");
            var noiseFile = Path.Combine(folder.FullName, "noise.u8");
            File.WriteAllBytes(phantomFile, System.Runtime.InteropServices.MemoryMarshal.AsBytes(v.Phantom.AsSpan()).ToArray());
            File.WriteAllBytes(noiseFile, v.Noise);
            var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var arg in new[] { script, "--phantom", phantomFile, "--noise", noiseFile, "--size", $"{v.Nx}x{v.Ny}x{v.Nz}",
                         "--repeat", repeat.ToString(CultureInfo.InvariantCulture), "--work", folder.FullName, "--parts", parts,
                         "--pipeline-repeat", pipelineRepeat.ToString(CultureInfo.InvariantCulture) })
            {
                start.ArgumentList.Add(arg);
            }

            if (only is not null)
            {
                start.ArgumentList.Add("--primitives");
                start.ArgumentList.Add(string.Join(',', only));
            }

            using var process = Process.Start(start)!;
            var lines = new List<Dictionary<string, object?>>();
            while (process.StandardOutput.ReadLine() is { } line)
            {
                var parsed = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(line)!;
                lines.Add(parsed.ToDictionary(kv => kv.Key, kv => (object?)(kv.Value.ValueKind switch
                {
                    JsonValueKind.String => kv.Value.GetString(),
                    JsonValueKind.Number => kv.Value.GetDouble(),
                    _ => kv.Value.GetRawText(),
                })));
            }

            process.WaitForExit();
            if (process.ExitCode != 0) Console.Error.WriteLine($"image_bench.py failed (exit {process.ExitCode})");
            return lines;
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static bool PeersAvailable(string python)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo(python, ["-c", "import numpy, scipy.ndimage, scipy.stats, nibabel"]) { RedirectStandardError = true, UseShellExecute = false })!;
            p.WaitForExit();
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static string? FindScript()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "bench", "image_bench.py");
            if (File.Exists(candidate)) return candidate;
        }

        return null;
    }

    private static string Load() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "unknown";

    private static string Json(Dictionary<string, object?> line) => JsonSerializer.Serialize(line);
}
