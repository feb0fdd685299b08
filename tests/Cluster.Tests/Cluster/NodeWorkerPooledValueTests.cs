using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using VoxScheduler.Cluster.Grains;
using VoxScheduler.Cluster.Worker;
using VoxScheduler.Dag;
using VoxScheduler.Images;
using VoxScheduler.Operations;
using VoxScheduler.Operations.Builtins;
using VoxScheduler.Values;

namespace VoxScheduler.Tests.Cluster;

/// <summary>
/// A silo's <see cref="NodeWorker"/> with images whose voxel buffers come from a pool (as every
/// vox1 kernel's do), against the real PostgreSQL store: a result's buffer goes back to the pool
/// once it is written and nothing on the silo keeps it (so the silo's next kernels reuse it), it
/// stays while the silo's cache keeps it, and a node reading an input the cache lent it keeps the
/// buffer even when the cache evicts the input meanwhile.
/// </summary>
[Collection("cluster")]
[Trait("Category", "Postgres")]
public sealed class NodeWorkerPooledValueTests(ClusterFixture fixture)
{
    private const int Side = 16;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly long ImageBytes = VoxelBufferPool.Prefix + 4L * Side * Side * Side;

    private readonly VoxelBufferPool _pool = new(64L * 1024 * 1024);
    private readonly ConcurrentDictionary<double, Image> _made = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _started = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _go = new(StringComparer.Ordinal);

    [Fact]
    public async Task A_result_image_written_and_not_cached_gives_its_buffer_back_to_the_pool()
    {
        await using var worker = Worker(cacheBytes: 0);
        var ns = ClusterFixture.NewNamespace("pooled-uncached");
        var results = await worker.RunAsync(Batch(ns, Pooled(1)), CancellationToken.None);

        Assert.Equal(NodeCallStatus.Completed, Assert.Single(results).Status);
        Assert.True(_made[1].IsReturned, "the written image's buffer did not go back to the pool");
        // Written from that buffer as it was: the stored value is the image.
        await using var store = await fixture.OpenStoreAsync(ns);
        var stored = Assert.IsType<Image>(ValueCodec.Decode((await store.RetrieveAsync(Pooled(1).Id))!));
        Assert.All(MemoryMarshal.Cast<byte, float>(stored.RawBytes).ToArray(), v => Assert.Equal(1f, v));
    }

    [Fact]
    public async Task A_cached_image_keeps_its_buffer_until_evicted_and_a_node_reading_it_keeps_it_past_the_eviction()
    {
        // Room for four of these images (a value larger than a quarter of the cache is never kept).
        await using var worker = Worker(cacheBytes: 4 * (ImageBytes + 1024));
        var ns = ClusterFixture.NewNamespace("pooled-cached");
        var first = Pooled(10);
        Assert.Equal(NodeCallStatus.Completed, Assert.Single(await worker.RunAsync(Batch(ns, first), CancellationToken.None)).Status);
        Assert.False(_made[10].IsReturned, "the cached image's buffer went back to the pool");

        // A node reads it from the cache and waits; meanwhile other results evict it from the cache.
        var key = Guid.NewGuid().ToString("N");
        var reader = new Node(NodeId.Hash(Guid.NewGuid().ToByteArray()), new NodeCall
        {
            Operator = "nw.sum", Revision = 1, Attempt = 1, Inputs = [new NodeArgument { Id = first.Id.ToByteArray() }, Inline(key)],
        });
        reader.Call.NodeId = reader.Id.ToByteArray();
        var reading = worker.RunAsync(Batch(ns, reader), CancellationToken.None);
        await Signal(_started, key).Task.WaitAsync(Patience);
        Assert.Equal(6, (await worker.RunAsync(Batch(ns, [.. Enumerable.Range(20, 6).Select(i => Pooled(i))]), CancellationToken.None))
            .Count(r => r.Status == NodeCallStatus.Completed));
        Assert.False(_made[10].IsReturned, "the image went back to the pool while a node was reading it");

        Signal(_go, key).TrySetResult();
        var read = Assert.Single(await reading.WaitAsync(Patience));
        Assert.Equal(NodeCallStatus.Completed, read.Status);
        Assert.Equal(10.0 * Side * Side * Side, (double)ValueCodec.Decode(read.Value!)!);
        // Evicted and read: nothing holds it now.
        Assert.True(_made[10].IsReturned, "the evicted image's buffer did not go back once its reader finished");
        // The next kernel on this silo takes a returned buffer instead of a new one.
        var created = _pool.Created;
        Assert.Equal(NodeCallStatus.Completed, Assert.Single(await worker.RunAsync(Batch(ns, Pooled(30)), CancellationToken.None)).Status);
        Assert.Equal(created, _pool.Created);
        Assert.True(_pool.Reused > 0);
    }

    private sealed record Node(NodeId Id, NodeCall Call);

    private NodeWorker Worker(long cacheBytes)
    {
        var registry = BuiltinOperations.CreateRegistry();
        registry.Register(Operation.Create("nw.pooled", 1, 1, c =>
        {
            // As a kernel makes its output: a buffer rented from the pool, taken over by the image.
            var voxels = RentedVoxels.Of(_pool, VoxelKind.Number, (long)Side * Side * Side);
            voxels.Floats.Fill((float)c.Number(0));
            var image = Image.FromRented(ImageGeometry.Of3D(Side, Side, Side), voxels);
            _made[c.Number(0)] = image;
            return image;
        }), replace: true);
        registry.Register(Operation.CreateAsync("nw.sum", 2, 2, async c =>
        {
            var image = (Image)c[0]!;
            var key = c.Text(1);
            Signal(_started, key).TrySetResult();
            await Signal(_go, key).Task;
            double sum = 0;
            foreach (var v in MemoryMarshal.Cast<byte, float>(image.RawBytes)) sum += v;
            return OperationResult.FromValue(sum);
        }), replace: true);
        return new NodeWorker(registry, new SiloWorkerOptions(4, cacheBytes, fixture.Server.ConnectionString), "test-silo");
    }

    private static Node Pooled(double value)
    {
        // Distinct per value and per test run, as content ids of distinct nodes are.
        var id = NodeId.Hash(System.Text.Encoding.UTF8.GetBytes($"nw.pooled {value} {RunSalt}"));
        return new Node(id, new NodeCall { NodeId = id.ToByteArray(), Operator = "nw.pooled", Revision = 1, Attempt = 1, Inputs = [Inline(value)] });
    }

    private static readonly string RunSalt = Guid.NewGuid().ToString("N");

    private static NodeArgument Inline(object value)
    {
        var encoded = ValueCodec.Encode(value);
        return new NodeArgument { Id = NodeId.Hash(encoded).ToByteArray(), Inline = encoded };
    }

    private static NodeBatch Batch(string ns, params Node[] nodes) => new() { StoreNamespace = ns, Nodes = [.. nodes.Select(n => n.Call)] };

    private static TaskCompletionSource Signal(ConcurrentDictionary<string, TaskCompletionSource> table, string key) =>
        table.GetOrAdd(key, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}
