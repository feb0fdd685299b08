using Microsoft.Data.Sqlite;
using VoxScheduler.Dag;
using VoxScheduler.Storage;

namespace VoxScheduler.Tests.Storage;

/// <summary>The store contract on the sqlite backend.</summary>
public sealed class SqliteStoreContractTests : StoreContractTests
{
    protected override string Backend => "sqlite";

    protected override Task DamageAsync(NodeId id, bool truncate) => SqliteDamage.DamageAsync(StorePath, id, truncate);

    [Fact]
    public async Task Persister_batches_store_ids_sharing_a_key_once_each_beside_ordinary_ones()
    {
        var held = StoreTestData.SharingPrefix("batch", 0);
        Assert.True(await Store.StoreAsync(held, StoreTestData.Random(9, 0), StoreTestData.Meta(held)));

        // 40 rows (two full groups of 16 and 8 single ones): ordinary ids, ids whose key another
        // id holds, an id already stored and a repeated one.
        var expected = new Dictionary<NodeId, byte[]> { [held] = StoreTestData.Random(9, 0) };
        var first = new List<(NodeId Id, byte[] Data)>();
        for (var i = 0; i < 40; i++)
        {
            var id = i % 5 == 1 ? StoreTestData.SharingPrefix("batch", i) : StoreTestData.Id("batch-plain-" + i);
            first.Add((id, StoreTestData.Random(10 + i, i)));
        }

        first[7] = (held, StoreTestData.Random(9, 0));
        first[30] = first[6];
        await StoreBatchAsync(Store, first);
        foreach (var (id, data) in first) expected.TryAdd(id, data);
        await AssertStoredAsync(expected);

        // Rows without a key now exist: the next batch takes the row-by-row path, with the same outcome.
        var second = new List<(NodeId Id, byte[] Data)>();
        for (var i = 0; i < 20; i++)
        {
            var id = i % 2 == 0 ? StoreTestData.SharingPrefix("batch", 100 + i) : StoreTestData.Id("batch-later-" + i);
            second.Add((id, StoreTestData.Random(12, 100 + i)));
        }

        second[3] = first[1];
        second[5] = first[0];
        await StoreBatchAsync(Store, second);
        foreach (var (id, data) in second) expected.TryAdd(id, data);
        await AssertStoredAsync(expected);

        // The key's holder is deleted: ids stored without the key must not be stored again under it.
        Assert.True(await Store.DeleteAsync(held));
        expected.Remove(held);
        var third = Enumerable.Range(0, 17).Select(i => (Id: StoreTestData.Id("batch-last-" + i), Data: StoreTestData.Random(11, 200 + i))).ToList();
        third[2] = first[1];
        third[16] = second[0];
        await StoreBatchAsync(Store, third);
        foreach (var (id, data) in third) expected.TryAdd(id, data);
        await AssertStoredAsync(expected);
    }

    private static async Task StoreBatchAsync(IResultStore store, IEnumerable<(NodeId Id, byte[] Data)> rows)
    {
        var sink = (IResultBatchSink)store;
        var batch = sink.CreateBatch(new ResultWriteOptions());
        batch.Reset("dag", "execution");
        foreach (var (id, data) in rows) Assert.True(batch.TryAdd(id, data, VoxScheduler.Values.DataType.Binary, "test.op"));
        await sink.StoreBatchAsync(batch);
    }

    private async Task AssertStoredAsync(Dictionary<NodeId, byte[]> expected)
    {
        foreach (var (id, data) in expected) Assert.Equal(data, await Store.RetrieveAsync(id));
        var listed = await Store.ListAsync().Select(m => m.NodeId).ToListAsync();
        Assert.Equal(expected.Count, listed.Count);
        Assert.Equal(expected.Keys.ToHashSet(), listed.ToHashSet());
    }
}

/// <summary>The store contract on the hybrid backend.</summary>
public sealed class HybridStoreContractTests : StoreContractTests
{
    protected override string Backend => "hybrid";

    [Fact]
    public async Task A_streamed_write_that_reaches_the_threshold_moves_to_a_file_and_leaves_no_chunks()
    {
        await using var store = await StoreFactory.OpenAsync(Backend, StorePath + "-spill", new StoreOptions { StreamingThreshold = 3 * 1024 * 1024 });
        var small = StoreTestData.Id("spill-small");
        var large = StoreTestData.Id("spill-large");
        var smallData = StoreTestData.Compressible(2 * 1024 * 1024 + 5, 1);
        var largeData = StoreTestData.Compressible(5 * 1024 * 1024 + 7, 2);
        foreach (var (id, data) in new[] { (small, smallData), (large, largeData) })
        {
            await using var writer = await store.OpenWriteAsync(id, StoreTestData.Meta(id));
            for (var at = 0; at < data.Length; at += 100_000) await writer.WriteAsync(data.AsMemory(at, Math.Min(100_000, data.Length - at)));
            await writer.CommitAsync();
        }

        Assert.Equal(smallData, await store.RetrieveAsync(small));
        Assert.Equal(largeData, await store.RetrieveAsync(large));
        await store.FlushAsync();

        var path = Path.Combine(StorePath + "-spill", SqliteResultStore.DatabaseFileName);
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT location FROM results WHERE node_id = $id";
        command.Parameters.AddWithValue("$id", large.ToByteArray());
        Assert.Equal(2L, command.ExecuteScalar()); // a file
        command.Parameters["$id"].Value = small.ToByteArray();
        Assert.Equal(1L, command.ExecuteScalar()); // chunks in the database
        command.CommandText = "SELECT count(*) FROM pending_blobs";
        Assert.Equal(0L, command.ExecuteScalar());
        command.CommandText = "SELECT count(*) FROM chunks WHERE (chunk_key >> 24) NOT IN (SELECT blob_id FROM results WHERE blob_id IS NOT NULL)";
        Assert.Equal(0L, command.ExecuteScalar());
    }

    protected override Task DamageAsync(NodeId id, bool truncate) => SqliteDamage.DamageAsync(StorePath, id, truncate);
}

/// <summary>Damages results of a sqlite or hybrid store behind its back, through a separate connection or the data file.</summary>
internal static class SqliteDamage
{
    public static Task DamageAsync(string folder, NodeId id, bool truncate)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(folder, SqliteResultStore.DatabaseFileName), Pooling = false }.ToString());
        connection.Open();
        using var select = connection.CreateCommand();
        select.CommandText = "SELECT location, blob_id, file_name, data FROM results WHERE node_id = $id";
        select.Parameters.AddWithValue("$id", id.ToByteArray());
        int location;
        long blobId;
        string? file;
        byte[]? inline;
        using (var reader = select.ExecuteReader())
        {
            Assert.True(reader.Read(), "result to damage not found");
            location = reader.GetInt32(0);
            blobId = reader.IsDBNull(1) ? 0 : reader.GetInt64(1);
            file = reader.IsDBNull(2) ? null : reader.GetString(2);
            inline = reader.IsDBNull(3) ? null : (byte[])reader.GetValue(3);
        }

        switch (location)
        {
            case 0:
                Update(connection, "UPDATE results SET data = $data WHERE node_id = $id", "$id", id.ToByteArray(), Damage(inline!, truncate));
                break;
            case 1:
                var key = (blobId << 24) | 1; // the second chunk when there is one, so a partial stream is served first
                using (var count = connection.CreateCommand())
                {
                    count.CommandText = "SELECT count(*) FROM chunks WHERE chunk_key = $k";
                    count.Parameters.AddWithValue("$k", key);
                    if ((long)count.ExecuteScalar()! == 0) key = blobId << 24;
                }

                using (var chunk = connection.CreateCommand())
                {
                    chunk.CommandText = "SELECT data FROM chunks WHERE chunk_key = $k";
                    chunk.Parameters.AddWithValue("$k", key);
                    Update(connection, "UPDATE chunks SET data = $data WHERE chunk_key = $id", "$id", key, Damage((byte[])chunk.ExecuteScalar()!, truncate));
                }

                break;
            default:
                FileDamage.Damage(Path.Combine(folder, "large", file!), truncate);
                break;
        }

        return Task.CompletedTask;
    }

    private static void Update(SqliteConnection connection, string sql, string keyName, object key, byte[] data)
    {
        using var update = connection.CreateCommand();
        update.CommandText = sql;
        update.Parameters.AddWithValue(keyName, key);
        update.Parameters.AddWithValue("$data", data);
        Assert.Equal(1, update.ExecuteNonQuery());
    }

    private static byte[] Damage(byte[] data, bool truncate)
    {
        if (truncate) return data[..^1];
        var copy = (byte[])data.Clone();
        copy[copy.Length / 2] ^= 0x40;
        return copy;
    }
}

/// <summary>Damages a data file in place.</summary>
internal static class FileDamage
{
    public static void Damage(string path, bool truncate)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        if (truncate)
        {
            file.SetLength(file.Length - 1);
            return;
        }

        file.Position = file.Length / 2;
        var b = file.ReadByte();
        file.Position = file.Length / 2;
        file.WriteByte((byte)(b ^ 0x40));
    }
}
