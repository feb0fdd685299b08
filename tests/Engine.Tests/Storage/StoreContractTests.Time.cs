using VoxScheduler.Dag;
using VoxScheduler.Storage;
using VoxScheduler.Values;
using static VoxScheduler.Tests.Storage.StoreTestData;

namespace VoxScheduler.Tests.Storage;

/// <summary>The contract, continued: time (the store clock, eviction by age and by use) and batched writes.</summary>
public abstract partial class StoreContractTests
{
    [Fact]
    public async Task Eviction_by_age_removes_only_results_not_used_since()
    {
        var ids = Enumerable.Range(0, 5).Select(i => Id("age-" + i)).ToArray();
        foreach (var id in ids) await Store.StoreAsync(id, Random(Streaming * 2, 1), Meta(id));

        var none = await Store.EvictAsync(new EvictionPolicy(OlderThan: TimeSpan.FromHours(1)));
        Assert.Equal(0, none.RemovedResults);
        Assert.Equal(5, none.RemainingResults);

        Clock.Advance(TimeSpan.FromMinutes(2));
        var all = await Store.EvictAsync(new EvictionPolicy(OlderThan: TimeSpan.FromMinutes(1)));
        Assert.Equal(5, all.RemovedResults);
        Assert.True(all.RemovedBytes >= 5L * Streaming * 2);
        Assert.Equal(0, all.RemainingResults);
        Assert.Equal(0, all.RemainingBytes);
        Assert.All(await Store.ExistsManyAsync(ids), Assert.False);
    }

    [Fact]
    public async Task Creation_and_access_times_come_from_the_store_clock()
    {
        var id = Id("clock");
        var created = Clock.GetUtcNow();
        await Store.StoreAsync(id, Random(100, 1), Meta(id));
        var meta = await Store.GetMetadataAsync(id);
        Assert.Equal(created.ToUnixTimeMilliseconds(), meta!.CreatedAt.ToUnixTimeMilliseconds());
        Assert.Equal(created.ToUnixTimeMilliseconds(), meta.LastAccessedAt.ToUnixTimeMilliseconds());

        Clock.Advance(TimeSpan.FromDays(3));
        await Store.RetrieveAsync(id);
        await Store.EvictAsync(new EvictionPolicy()); // records pending access times, removes nothing
        meta = await Store.GetMetadataAsync(id);
        Assert.Equal(created.ToUnixTimeMilliseconds(), meta!.CreatedAt.ToUnixTimeMilliseconds());
        Assert.Equal(Clock.GetUtcNow().ToUnixTimeMilliseconds(), meta.LastAccessedAt.ToUnixTimeMilliseconds());
        Assert.Equal(0, (await Store.EvictAsync(new EvictionPolicy(OlderThan: TimeSpan.FromDays(1)))).RemovedResults);
    }

    [Fact]
    public async Task A_batch_stores_what_one_by_one_stores_where_the_backend_takes_batches()
    {
        if (Store is not IResultBatchSink sink)
        {
            Assert.Equal("filesystem", Backend); // the backends that write rows take batches
            return;
        }

        // Raw, compressed and boundary sizes: each must become the row StoreAsync writes.
        var sizes = new[] { 0, 1, 63, 500, Inline - 1, Inline };
        var batch = sink.CreateBatch(ResultWriteOptions.From(Options()));
        batch.Reset("dag-b", "execution-b");
        var stored = new List<(NodeId Batched, NodeId Single, byte[] Data)>();
        foreach (var size in sizes)
        {
            foreach (var compressible in new[] { false, true })
            {
                var data = compressible ? Compressible(size, size) : Random(size, size);
                var batched = Id($"batched-{size}-{compressible}");
                var single = Id($"single-{size}-{compressible}");
                Assert.True(batch.TryAdd(batched, data, DataType.Binary, "test.op"));
                await Store.StoreAsync(single, data, Meta(single, DataType.Binary, "dag-b", "execution-b"));
                stored.Add((batched, single, data));
            }
        }

        Assert.False(batch.TryAdd(Id("too-large"), Random(Inline + 1, 9), DataType.Binary, "test.op")); // chunks: not a batch row
        Assert.Equal(stored.Count, batch.Count);
        await sink.StoreBatchAsync(batch);

        foreach (var (batched, single, data) in stored)
        {
            Assert.Equal(data, await Store.RetrieveAsync(batched));
            var a = await Store.GetMetadataAsync(batched);
            var b = await Store.GetMetadataAsync(single);
            Assert.Equal(b! with { NodeId = batched }, a);
        }
    }

    [Fact]
    public async Task Eviction_by_size_removes_least_recently_used_first()
    {
        var a = Id("lru-a");
        var b = Id("lru-b");
        var c = Id("lru-c");
        foreach (var id in new[] { a, b, c })
        {
            await Store.StoreAsync(id, Random(10_000, id.GetHashCode()), Meta(id));
            Clock.Advance(TimeSpan.FromSeconds(1));
        }

        await Store.RetrieveAsync(a); // a becomes the most recently used
        var before = await Store.EvictAsync(new EvictionPolicy());
        Assert.Equal(3, before.RemainingResults);

        var report = await Store.EvictAsync(new EvictionPolicy(MaxTotalBytes: before.RemainingBytes * 2 / 3));
        Assert.Equal(1, report.RemovedResults);
        Assert.False(await Store.ExistsAsync(b));
        Assert.True(await Store.ExistsAsync(a));
        Assert.True(await Store.ExistsAsync(c));
        Assert.True(report.RemainingBytes <= before.RemainingBytes * 2 / 3);
    }

    [Fact]
    public async Task Eviction_while_a_reader_streams_does_not_break_the_reader()
    {
        var id = Id("evict-while-reading");
        var data = Random(3 * 1024 * 1024, 4);
        await Store.StoreAsync(id, data, Meta(id));
        await using var stream = await Store.OpenReadAsync(id);
        var head = new byte[1000];
        await stream!.ReadExactlyAsync(head);

        var report = await Store.EvictAsync(new EvictionPolicy(MaxTotalBytes: 0));
        Assert.Equal(1, report.RemovedResults);

        var rest = await ReadAllAsync(stream);
        Assert.Equal(data, head.Concat(rest).ToArray());
        Assert.Null(await Store.RetrieveAsync(id)); // later readers see "absent" and recompute
    }
}
