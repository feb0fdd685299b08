using VoxScheduler.Storage;
using static VoxScheduler.Tests.Storage.StoreTestData;

namespace VoxScheduler.Tests.Storage;

/// <summary>
/// Per-write options (#14 item 13): a write that names its compression and codec is stored that
/// way whatever the store was opened with, one by one, streamed and in batches, on every backend.
/// </summary>
public abstract partial class StoreContractTests
{
    [Fact]
    public async Task A_write_s_own_options_override_the_store_s()
    {
        // The store compresses with lz4; each write below asks for something else.
        foreach (var (name, options, expected) in new (string, ResultWriteOptions, string?)[]
                 {
                     ("raw", new ResultWriteOptions { Compression = false }, null),
                     ("none", new ResultWriteOptions { CompressionCodec = "none" }, null),
                     ("brotli", new ResultWriteOptions { CompressionCodec = "brotli" }, "brotli"),
                 })
        {
            var id = Id("per-write-" + name);
            var data = Compressible(8000, 5);
            Assert.True(await Store.StoreAsync(id, data, Meta(id), options));
            var meta = await Store.GetMetadataAsync(id);
            Assert.Equal(expected, meta!.Compression);
            if (expected is null) Assert.Equal(data.Length, meta.StoredSize);
            else Assert.True(meta.StoredSize < data.Length / 4, $"{name}: {meta.StoredSize} of {data.Length}");
            Assert.Equal(data, await Store.RetrieveAsync(id));
        }

        // A store opened without compression compresses a write that asks for it.
        await using var raw = await OpenStoreAsync(StorePath + "-opened-raw", Options(compression: false));
        var asked = Id("per-write-asked");
        var compressible = Compressible(8000, 6);
        await raw.StoreAsync(asked, compressible, Meta(asked), new ResultWriteOptions { CompressionCodec = "brotli" });
        Assert.Equal("brotli", (await raw.GetMetadataAsync(asked))!.Compression);
        Assert.Equal(compressible, await raw.RetrieveAsync(asked));
    }

    [Fact]
    public async Task A_streamed_write_s_own_options_override_the_store_s()
    {
        if (Backend == "filesystem") return; // streamed writes are stored as they come there, never compressed
        var id = Id("per-write-streamed");
        var data = Compressible(3 * 1024, 7); // below every backend's large-file threshold
        await using (var writer = await Store.OpenWriteAsync(id, Meta(id), new ResultWriteOptions { Compression = false }))
        {
            await writer.WriteAsync(data);
            await writer.CommitAsync();
        }

        var meta = await Store.GetMetadataAsync(id);
        Assert.Null(meta!.Compression);
        Assert.Equal(data.Length, meta.StoredSize);
        Assert.Equal(data, await Store.RetrieveAsync(id));
    }

    [Fact]
    public async Task A_batch_is_stored_with_its_own_options()
    {
        if (Store is not IResultBatchSink sink) return; // filesystem takes no batches
        var batch = sink.CreateBatch(new ResultWriteOptions { CompressionCodec = "brotli" });
        batch.Reset("dag-w", "execution-w");
        var id = Id("per-write-batch");
        var data = Compressible(Inline - 10, 8);
        Assert.True(batch.TryAdd(id, data, VoxScheduler.Values.DataType.Binary, "test.op"));
        await sink.StoreBatchAsync(batch);
        Assert.Equal("brotli", (await Store.GetMetadataAsync(id))!.Compression);
        Assert.Equal(data, await Store.RetrieveAsync(id));
    }
}
