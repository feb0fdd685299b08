using System.Diagnostics;
using System.Text;
using VoxScheduler.Dag;
using VoxScheduler.Storage;
using VoxScheduler.Values;

namespace VoxScheduler.Bench;

/// <summary>
/// <c>storage --backend sqlite|filesystem|hybrid [--small N] [--seconds S] [--writers W] [--readers R] [--large-mb M] [--rounds K] [--streaming-threshold-mb T] [--path DIR]</c>:
/// small 100-byte writes (W concurrent writers: group commit), small reads, batched exists,
/// and a large streamed write/read of incompressible bytes next to a plain file write
/// (flushed to disk, as the stores are durable) and read of the same bytes on the same disk.
/// One JSON line on stdout.
/// </summary>
internal static class StorageBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var a = new BenchArgs(args);
        var backend = a.Get("backend", "sqlite");
        var small = a.Int("small", 200_000);
        var seconds = a.Long("seconds", 10);
        var writers = a.Int("writers", 1024);
        var readers = a.Int("readers", Environment.ProcessorCount);
        var largeMb = a.Int("large-mb", 64);
        // Medians over more rounds steady the large-object ratios on a loaded machine.
        var rounds = a.Int("rounds", 3);
        var root = a.Get("path") ?? Path.Combine(Path.GetTempPath(), "vox-bench-storage-" + Guid.NewGuid().ToString("N"));
        try
        {
            var storePath = Path.Combine(root, backend);
            // The large object must take every backend's large-object path: above the streaming
            // threshold, so the hybrid store writes it to a file from its first megabyte (the
            // default threshold is 100 MB, which would keep a 64 MB object in the database).
            var threshold = a.Long("streaming-threshold-mb", 1) * 1024 * 1024;
            await using var store = await StoreFactory.OpenAsync(backend, storePath, new StoreOptions { StreamingThreshold = threshold });
            Console.Error.WriteLine($"{backend}: store at {storePath}, streaming threshold {threshold / (1024 * 1024)} MB, {writers} concurrent writers, {readers} readers");

            var ids = Enumerable.Range(0, small).Select(i => NodeId.Hash(Encoding.UTF8.GetBytes($"bench-small-{i}"))).ToArray();
            // CPU seconds per phase go to stderr: on a shared machine, operations per CPU-second say
            // more about the code than operations per wall-clock second.
            var cpu = CpuSeconds();
            var (written, writeSeconds) = await SmallWritesAsync(store, ids, writers, TimeSpan.FromSeconds(seconds));
            Console.Error.WriteLine($"{backend}: {written:N0} small writes in {writeSeconds:F2} s ({written / (CpuSeconds() - cpu):N0} per CPU-second)");
            var present = ids[..written];
            cpu = CpuSeconds();
            var (reads, readSeconds) = await SmallReadsAsync(store, present, readers, TimeSpan.FromSeconds(seconds));
            Console.Error.WriteLine($"{backend}: {reads:N0} small reads in {readSeconds:F2} s ({reads / (CpuSeconds() - cpu):N0} per CPU-second)");
            cpu = CpuSeconds();
            var (checks, existsSeconds) = await ExistsAsync(store, ids, TimeSpan.FromSeconds(seconds));
            Console.Error.WriteLine($"{backend}: {checks:N0} batched exists in {existsSeconds:F2} s ({checks / (CpuSeconds() - cpu):N0} per CPU-second)");

            var large = new byte[largeMb * 1024 * 1024];
            new Random(42).NextBytes(large);
            var storeWrite = new List<double>();
            var storeRead = new List<double>();
            var fileWrite = new List<double>();
            var fileRead = new List<double>();
            for (var round = 0; round < rounds; round++)
            {
                // Alternate store and plain file so drifting machine load hits both alike.
                storeWrite.Add(await LargeWriteAsync(store, NodeId.Hash(Encoding.UTF8.GetBytes($"bench-large-{round}")), large));
                storeRead.Add(await LargeReadAsync(store, NodeId.Hash(Encoding.UTF8.GetBytes($"bench-large-{round}")), large.Length));
                var file = Path.Combine(root, $"plain-{round}.bin");
                fileWrite.Add(PlainWrite(file, large));
                fileRead.Add(PlainRead(file, large.Length));
            }

            var mb = large.Length / (1024.0 * 1024.0);
            Console.Out.WriteLine(DagMode.Json(new Dictionary<string, object?>
            {
                ["backend"] = backend,
                ["small_writes_per_s"] = Math.Round(written / writeSeconds),
                ["small_reads_per_s"] = Math.Round(reads / readSeconds),
                ["exists_per_s"] = Math.Round(checks / existsSeconds),
                ["large_write_mb_s"] = Math.Round(mb / Median(storeWrite), 1),
                ["large_read_mb_s"] = Math.Round(mb / Median(storeRead), 1),
                ["file_write_mb_s"] = Math.Round(mb / Median(fileWrite), 1),
                ["file_read_mb_s"] = Math.Round(mb / Median(fileRead), 1),
            }));
            return 0;
        }
        finally
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static double CpuSeconds() => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    private static StorageMetadata Meta(NodeId id, DataType type) => new() { NodeId = id, DataType = type, ExecutionId = "bench", Operator = "bench.op" };

    /// <summary>Writers store 100-byte results concurrently until all are stored or time is up.</summary>
    private static async Task<(int Count, double Seconds)> SmallWritesAsync(IResultStore store, NodeId[] ids, int writers, TimeSpan budget)
    {
        var next = -1;
        var stored = 0;
        var clock = Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var data = new byte[100];
            new Random(w).NextBytes(data);
            int i;
            while ((i = Interlocked.Increment(ref next)) < ids.Length && clock.Elapsed < budget)
            {
                data[0] = (byte)i;
                data[1] = (byte)(i >> 8);
                await store.StoreAsync(ids[i], data.ToArray(), Meta(ids[i], DataType.Binary));
                Interlocked.Increment(ref stored);
            }
        })).ToArray();
        await Task.WhenAll(tasks);
        await store.FlushAsync();
        var seconds = clock.Elapsed.TotalSeconds;
        // Ids are claimed in order, so the first `stored` ones are all written.
        return (stored, seconds);
    }

    private static async Task<(long Count, double Seconds)> SmallReadsAsync(IResultStore store, NodeId[] ids, int readers, TimeSpan budget)
    {
        long total = 0;
        var clock = Stopwatch.StartNew();
        var target = Math.Max(ids.Length * 2L, 100_000);
        var tasks = Enumerable.Range(0, readers).Select(r => Task.Run(async () =>
        {
            var random = new Random(r);
            long mine = 0;
            while (Interlocked.Read(ref total) < target && clock.Elapsed < budget)
            {
                for (var k = 0; k < 256; k++)
                {
                    var data = await store.RetrieveAsync(ids[random.Next(ids.Length)]);
                    if (data is null || data.Length != 100) throw new InvalidOperationException("a stored small result did not read back");
                }

                mine += 256;
                Interlocked.Add(ref total, 256);
            }
        })).ToArray();
        await Task.WhenAll(tasks);
        return (total, clock.Elapsed.TotalSeconds);
    }

    private static async Task<(long Count, double Seconds)> ExistsAsync(IResultStore store, NodeId[] ids, TimeSpan budget)
    {
        // Batches of 1,000 ids, every other one absent (ids past what was written, or never stored).
        var absent = Enumerable.Range(0, 1000).Select(i => NodeId.Hash(Encoding.UTF8.GetBytes($"bench-absent-{i}"))).ToArray();
        var batch = new NodeId[1000];
        long total = 0;
        var clock = Stopwatch.StartNew();
        var random = new Random(3);
        while (total < 2_000_000 && clock.Elapsed < budget)
        {
            for (var i = 0; i < batch.Length; i++) batch[i] = i % 2 == 0 ? ids[random.Next(ids.Length)] : absent[i];
            await store.ExistsManyAsync(batch);
            total += batch.Length;
        }

        return (total, clock.Elapsed.TotalSeconds);
    }

    private static async Task<double> LargeWriteAsync(IResultStore store, NodeId id, byte[] data)
    {
        var clock = Stopwatch.StartNew();
        await using (var writer = await store.OpenWriteAsync(id, Meta(id, DataType.LargeObject)))
        {
            for (var offset = 0; offset < data.Length; offset += 1024 * 1024)
            {
                await writer.WriteAsync(data.AsMemory(offset, Math.Min(1024 * 1024, data.Length - offset)));
            }

            await writer.CommitAsync();
        }

        return clock.Elapsed.TotalSeconds;
    }

    private static async Task<double> LargeReadAsync(IResultStore store, NodeId id, long expected)
    {
        var buffer = new byte[1024 * 1024];
        var clock = Stopwatch.StartNew();
        long read = 0;
        await using (var stream = await store.OpenReadAsync(id) ?? throw new InvalidOperationException("large result missing"))
        {
            int n;
            while ((n = await stream.ReadAsync(buffer)) > 0) read += n;
        }

        if (read != expected) throw new InvalidOperationException($"large result read {read} of {expected} bytes");
        return clock.Elapsed.TotalSeconds;
    }

    private static double PlainWrite(string path, byte[] data)
    {
        var clock = Stopwatch.StartNew();
        using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1))
        {
            for (var offset = 0; offset < data.Length; offset += 1024 * 1024)
            {
                file.Write(data, offset, Math.Min(1024 * 1024, data.Length - offset));
            }

            file.Flush(flushToDisk: true);
        }

        return clock.Elapsed.TotalSeconds;
    }

    private static double PlainRead(string path, long expected)
    {
        var buffer = new byte[1024 * 1024];
        var clock = Stopwatch.StartNew();
        long read = 0;
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1))
        {
            int n;
            while ((n = file.Read(buffer)) > 0) read += n;
        }

        if (read != expected) throw new InvalidOperationException("plain file read short");
        return clock.Elapsed.TotalSeconds;
    }
}
