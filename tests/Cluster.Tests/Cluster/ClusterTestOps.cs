using System.Collections.Concurrent;
using VoxScheduler.Dag;
using VoxScheduler.Images;
using VoxScheduler.Operations;

namespace VoxScheduler.Tests.Cluster;

/// <summary>
/// Operations every silo of the test cluster registers (the silos share this process, so what
/// they record is visible to the tests): <c>ct.add</c> counts its runs per node and per silo,
/// <c>ct.block</c> waits until it is cancelled, <c>ct.random</c> is non-deterministic, <c>ct.fill</c> makes compressible bytes on a worker,
/// <c>ct.phantom</c> a seeded synthetic image and <c>ct.seeds</c> a run-time sequence of numbers.
/// </summary>
internal static class ClusterTestOps
{
    public const string SiloKey = "voxscheduler.cluster.silo";

    public static ConcurrentDictionary<NodeId, int> Runs { get; } = new();

    public static ConcurrentDictionary<string, int> RunsPerSilo { get; } = new(StringComparer.Ordinal);

    public static ConcurrentDictionary<string, TaskCompletionSource> Started { get; } = new(StringComparer.Ordinal);

    public static ConcurrentDictionary<string, TaskCompletionSource> Cancelled { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Silos (by address) whose <c>ct.slow</c> nodes never finish once marked here, until the entry is completed: an
    /// in-process silo that is killed keeps running its tasks, so this is how a test makes its nodes really lost.
    /// </summary>
    public static ConcurrentDictionary<string, TaskCompletionSource> Stalled { get; } = new(StringComparer.Ordinal);

    public static TaskCompletionSource Signal(ConcurrentDictionary<string, TaskCompletionSource> table, string key) =>
        table.GetOrAdd(key, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    private static async ValueTask<OperationResult> BlockAsync(OperationContext c)
    {
        var key = c.Text(1);
        Signal(Started, key).TrySetResult();
        try
        {
            await Task.Delay(Timeout.Infinite, c.CancellationToken);
        }
        finally
        {
            Signal(Cancelled, key).TrySetResult();
        }

        return OperationResult.FromValue(c[0]);
    }

    private static async ValueTask<OperationResult> SlowAsync(OperationContext c)
    {
        Runs.AddOrUpdate(c.NodeId, 1, static (_, n) => n + 1);
        object? silo = null;
        if (c.Environment.Services?.TryGetValue(SiloKey, out silo) == true)
        {
            RunsPerSilo.AddOrUpdate((string)silo!, 1, static (_, n) => n + 1);
            Signal(Started, "silo:" + (string)silo!).TrySetResult();
        }

        await Task.Delay(TimeSpan.FromMilliseconds(c.Number(1)), c.CancellationToken);
        if (silo is string here && Stalled.TryGetValue(here, out var stalled)) await stalled.Task;
        return OperationResult.FromValue(c.Number(0));
    }

    public static void Register(OperationRegistry registry)
    {
        registry.Register(Operation.CreateAsync("ct.slow", 2, 2, SlowAsync), replace: true);
        // Reads the outside world (as a file read does): runs on the coordinator, its large value goes to the store for the workers.
        registry.Register(Operation.Create("ct.bytes", 2, 2, c =>
        {
            var bytes = new byte[(int)c.Number(0)];
            new Random((int)c.Number(1)).NextBytes(bytes);
            return bytes;
        }, purity: Purity.ReadsFiles), replace: true);
        // Pure, so it runs on a worker: n bytes of one repeated value after a salt (compressible, and distinct per salt).
        registry.Register(Operation.Create("ct.fill", 2, 2, c =>
        {
            var bytes = new byte[(int)c.Number(0)];
            Array.Fill(bytes, (byte)'v');
            BitConverter.TryWriteBytes(bytes, c.Number(1));
            return bytes;
        }), replace: true);
        registry.Register(Operation.Create("ct.add", 0, -1, c =>
        {
            Runs.AddOrUpdate(c.NodeId, 1, static (_, n) => n + 1);
            if (c.Environment.Services?.TryGetValue(SiloKey, out var silo) == true) RunsPerSilo.AddOrUpdate((string)silo, 1, static (_, n) => n + 1);
            double sum = 0;
            for (var i = 0; i < c.Count; i++) sum += c.Number(i);
            return sum;
        }), replace: true);
        registry.Register(Operation.CreateAsync("ct.block", 2, 2, BlockAsync), replace: true);
        registry.Register(Operation.Create("ct.random", 0, 1, c => (double)Random.Shared.Next(), purity: Purity.NonDeterministic), replace: true);
        // Pure image sources (a cluster has no load): a seeded synthetic scan, and a run-time sequence of seeds (so a map over it expands while running).
        registry.Register(Operation.Create("ct.phantom", 4, 4, c => Phantom((int)c.Number(0), (int)c.Number(1), (int)c.Number(2), (int)c.Number(3))), replace: true);
        registry.Register(Operation.Create("ct.seeds", 2, 2, c =>
            Enumerable.Range((int)c.Number(0), Math.Clamp((int)c.Number(1), 0, 1000)).Select(i => (object?)(double)i).ToArray()), replace: true);
    }

    /// <summary>
    /// A seeded nx×ny×nz float image (each side at most 128): a head of ~100 with a darker rim,
    /// two bright blobs of ~200 placed by the seed, and 1 % salt noise.
    /// </summary>
    public static Image Phantom(int nx, int ny, int nz, int seed)
    {
        if (nx is < 1 or > 128 || ny is < 1 or > 128 || nz is < 1 or > 128) throw new ArgumentOutOfRangeException(nameof(nx), "ct.phantom takes sides of 1 to 128 voxels.");
        var random = new Random(seed);
        var voxels = new float[nx * ny * nz];
        var blobs = Enumerable.Range(0, 2).Select(_ => (X: nx * (0.3 + 0.4 * random.NextDouble()), Y: ny * (0.3 + 0.4 * random.NextDouble()),
            Z: nz * (0.3 + 0.4 * random.NextDouble()), R: 2 + random.NextDouble() * Math.Min(nx, Math.Min(ny, nz)) / 8)).ToArray();
        for (var z = 0; z < nz; z++)
        for (var y = 0; y < ny; y++)
        for (var x = 0; x < nx; x++)
        {
            double dx = (x - (nx - 1) / 2.0) / (0.45 * nx), dy = (y - (ny - 1) / 2.0) / (0.45 * ny), dz = (z - (nz - 1) / 2.0) / (0.45 * nz);
            var r = Math.Sqrt(dx * dx + dy * dy + dz * dz);
            float v = r >= 1 ? 0f : r >= 0.85 ? 60f : 100f + (float)(random.NextDouble() * 10 - 5);
            foreach (var b in blobs)
            {
                if ((x - b.X) * (x - b.X) + (y - b.Y) * (y - b.Y) + (z - b.Z) * (z - b.Z) <= b.R * b.R) v = 200f;
            }

            voxels[x + nx * (y + ny * z)] = random.NextDouble() < 0.01 ? 255f : v;
        }

        return Image.FromNumbers(ImageGeometry.Of3D(nx, ny, nz), voxels);
    }
}
