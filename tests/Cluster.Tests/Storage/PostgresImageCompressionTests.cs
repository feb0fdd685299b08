using Npgsql;
using VoxScheduler.Cluster.Postgres;
using VoxScheduler.Dag;
using VoxScheduler.Images;
using VoxScheduler.Storage;
using VoxScheduler.Values;
using static VoxScheduler.Tests.Storage.StoreTestData;

namespace VoxScheduler.Tests.Storage;

/// <summary>
/// A postgres store compresses images with its codec like any other value (the local stores keep
/// them raw, as the image kind prefers: they hand an image's bytes over as they lie). Every byte
/// stored costs PostgreSQL its WAL, its TOAST pages and the network, and a read copies the bytes
/// off the connection anyway. Images that do not shrink, and stores without compression, stay raw.
/// </summary>
[Collection("postgres")]
[Trait("Category", "Postgres")]
public sealed class PostgresImageCompressionTests(PostgresServerFixture fixture)
{
    private static string NewNamespace(string label) => $"tests/image-compression-{label}/{Guid.NewGuid():N}";

    private Task<PostgresResultStore> OpenAsync(string label, bool compression, string codec) =>
        PostgresResultStore.OpenAsync(fixture.Server.ConnectionString, NewNamespace(label),
            new StoreOptions { Compression = compression, CompressionCodec = codec, InlineThreshold = 64 * 1024 }).AsTask();

    /// <summary>A mask as segmentation steps make them: a block of true voxels in a volume of false.</summary>
    private static byte[] Mask(int nx, int ny, int nz)
    {
        var voxels = new byte[nx * ny * nz];
        for (var i = 0; i < voxels.Length; i++) voxels[i] = InBlock(i, nx, ny, nz) ? (byte)1 : (byte)0;
        return ValueCodec.Encode(Image.FromBooleans(ImageGeometry.Of3D(nx, ny, nz), voxels));
    }

    /// <summary>A float image masked to a block (zero outside), varying inside.</summary>
    private static byte[] MaskedNumbers(int nx, int ny, int nz)
    {
        var voxels = new float[nx * ny * nz];
        for (var i = 0; i < voxels.Length; i++) voxels[i] = InBlock(i, nx, ny, nz) ? 100 + (float)Math.Sin(i) : 0;
        return ValueCodec.Encode(Image.FromNumbers(ImageGeometry.Of3D(nx, ny, nz), voxels));
    }

    /// <summary>Random floats: no codec makes them smaller.</summary>
    private static byte[] Noise(int nx, int ny, int nz, int seed)
    {
        var random = new Random(seed);
        var voxels = new float[nx * ny * nz];
        for (var i = 0; i < voxels.Length; i++) voxels[i] = (float)random.NextDouble();
        return ValueCodec.Encode(Image.FromNumbers(ImageGeometry.Of3D(nx, ny, nz), voxels));
    }

    private static bool InBlock(int i, int nx, int ny, int nz)
    {
        var (x, y, z) = (i % nx, i / nx % ny, i / (nx * ny));
        return x > nx / 4 && x < 3 * nx / 4 && y > ny / 4 && y < 3 * ny / 4 && z > nz / 4 && z < 3 * nz / 4;
    }

    private static StorageMetadata ImageMeta(NodeId id, byte[] data) => Meta(id, ValueCodec.Classify(ValueCodec.Decode(data)));

    [Theory]
    [InlineData("lz4", StoreCodec.Lz4)]
    [InlineData("brotli", StoreCodec.Brotli)]
    public async Task Images_are_stored_with_the_stores_codec_on_every_write_path_and_read_back_identical(string codec, byte expected)
    {
        await using var store = await OpenAsync(codec, compression: true, codec);
        var inline = (Id: Id("inline-" + codec), Data: Mask(24, 24, 24));               // 14 KB: inline in its row
        var batched = (Id: Id("batched-" + codec), Data: Mask(16, 16, 16));             // with the persister's batch
        var chunked = (Id: Id("chunked-" + codec), Data: MaskedNumbers(64, 64, 80));    // 1.3 MB whole: two chunks
        var streamed = (Id: Id("streamed-" + codec), Data: Mask(128, 128, 80));         // 1.3 MB written in pieces: two chunks
        Assert.True(inline.Data.Length <= 64 * 1024 && chunked.Data.Length > PostgresChunkEncoder.ChunkSize && streamed.Data.Length > PostgresChunkEncoder.ChunkSize);

        Assert.True(await store.StoreAsync(inline.Id, inline.Data, ImageMeta(inline.Id, inline.Data)));
        Assert.True(await store.StoreAsync(chunked.Id, chunked.Data, ImageMeta(chunked.Id, chunked.Data)));
        await using (var writer = await store.OpenWriteAsync(streamed.Id, ImageMeta(streamed.Id, streamed.Data)))
        {
            for (var offset = 0; offset < streamed.Data.Length; offset += 100_000)
            {
                await writer.WriteAsync(streamed.Data.AsMemory(offset, Math.Min(100_000, streamed.Data.Length - offset)));
            }

            await writer.CommitAsync();
        }

        IResultBatchSink sink = store;
        var batch = sink.CreateBatch(new ResultWriteOptions { Compression = true, CompressionCodec = codec });
        batch.Reset("dag", "execution");
        Assert.True(batch.TryAdd(batched.Id, batched.Data, ValueCodec.Classify(ValueCodec.Decode(batched.Data)), "op"));
        await sink.StoreBatchAsync(batch);
        await store.FlushAsync();

        foreach (var (id, data) in new[] { inline, batched, chunked, streamed })
        {
            var metadata = (await store.GetMetadataAsync(id))!;
            Assert.Equal(codec, metadata.Compression);
            Assert.True(metadata.StoredSize < data.Length / 4, $"{id}: {metadata.StoredSize} of {data.Length} bytes stored");
            Assert.Equal(data.Length, metadata.Size);
            Assert.Equal(data, await store.RetrieveAsync(id));
        }

        // Every chunk of the large ones with the codec, and the stream a reader gets decodes to the same image.
        Assert.Equal(new[] { expected, expected }, await ChunkCodecsAsync(store, chunked.Id));
        Assert.Equal(new[] { expected, expected }, await ChunkCodecsAsync(store, streamed.Id));
        await using var stream = await store.OpenReadAsync(chunked.Id);
        var image = Assert.IsType<Image>(ValueCodec.Decode(stream!, chunked.Data.Length));
        Assert.Equal(((Image)ValueCodec.Decode(chunked.Data)!).RawBytes.ToArray(), image.RawBytes.ToArray());
    }

    [Fact]
    public async Task An_image_that_does_not_shrink_and_any_image_in_a_store_without_compression_stay_raw()
    {
        // Compression is given up when the first chunk does not shrink (StoreCodec.TryCompress's margin).
        await using var lz4 = await OpenAsync("noise", compression: true, "lz4");
        var noise = (Id: Id("noise"), Data: Noise(64, 64, 80, 5));
        var smallNoise = (Id: Id("small-noise"), Data: Noise(20, 20, 20, 6));
        Assert.True(await lz4.StoreAsync(noise.Id, noise.Data, ImageMeta(noise.Id, noise.Data)));
        Assert.True(await lz4.StoreAsync(smallNoise.Id, smallNoise.Data, ImageMeta(smallNoise.Id, smallNoise.Data)));
        await lz4.FlushAsync();
        foreach (var (id, data) in new[] { noise, smallNoise })
        {
            var metadata = (await lz4.GetMetadataAsync(id))!;
            Assert.Null(metadata.Compression);
            Assert.Equal(data.Length, metadata.StoredSize);
            Assert.Equal(data, await lz4.RetrieveAsync(id));
        }

        Assert.Equal(new[] { StoreCodec.Raw, StoreCodec.Raw }, await ChunkCodecsAsync(lz4, noise.Id));

        // Compression off: even a mask that would shrink to a hundredth is stored as it is.
        await using var off = await OpenAsync("off", compression: false, "lz4");
        var mask = (Id: Id("mask"), Data: Mask(128, 128, 80));
        Assert.True(await off.StoreAsync(mask.Id, mask.Data, ImageMeta(mask.Id, mask.Data)));
        await off.FlushAsync();
        var stored = (await off.GetMetadataAsync(mask.Id))!;
        Assert.Null(stored.Compression);
        Assert.Equal(mask.Data.Length, stored.StoredSize);
        Assert.Equal(new[] { StoreCodec.Raw, StoreCodec.Raw }, await ChunkCodecsAsync(off, mask.Id));
        Assert.Equal(mask.Data, await off.RetrieveAsync(mask.Id));
    }

    private async Task<byte[]> ChunkCodecsAsync(PostgresResultStore store, NodeId id)
    {
        await using var connection = new NpgsqlConnection(fixture.Server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"SELECT c.codec FROM {store.Schema}.chunks c JOIN {store.Schema}.results r USING (blob_id) WHERE r.node_id = $1 ORDER BY c.ordinal", connection);
        command.Parameters.AddWithValue(id.ToByteArray());
        var codecs = new List<byte>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) codecs.Add((byte)reader.GetInt16(0));
        return [.. codecs];
    }
}
