using Npgsql;
using VoxScheduler.Cluster.Postgres;
using VoxScheduler.Storage;
using VoxScheduler.Values;
using static VoxScheduler.Tests.Storage.StoreTestData;

namespace VoxScheduler.Tests.Storage;

/// <summary>
/// Group commit of the postgres store: result batches handed over while a write is in flight
/// (a silo's worker slots, one batch per call each) go together in the next write, and each
/// caller learns when its own rows are committed.
/// </summary>
[Collection("postgres")]
[Trait("Category", "Postgres")]
public sealed class PostgresGroupCommitTests(PostgresServerFixture fixture)
{
    [Theory]
    [InlineData("", true)]                        // the store's default: prepared after a few uses
    [InlineData(";Max Auto Prepare=0", false)]    // the connection string's word stands
    public async Task The_stores_statements_are_prepared_on_their_connection_unless_the_connection_string_says_otherwise(string extra, bool prepared)
    {
        // A pool of one connection (its own: the pool key is the connection string), so every statement ran on the one we look at.
        var connection = fixture.Server.ConnectionString + ";Maximum Pool Size=1" + extra;
        await using var store = await PostgresResultStore.OpenAsync(connection, $"tests/prepare/{Guid.NewGuid():N}");
        for (var i = 0; i < 8; i++)
        {
            await store.StoreAsync(Id($"prepare-{i}"), Random(40, i), Meta(Id($"prepare-{i}")));
            Assert.NotNull(await store.RetrieveAsync(Id($"prepare-{i}")));
        }

        var count = await store.PreparedStatementsAsync();
        if (prepared) Assert.True(count >= 1, $"{count} statements prepared");
        else Assert.Equal(0, count);
    }

    [Fact]
    public async Task Batches_handed_over_during_a_write_share_the_next_write_and_each_result_is_stored_once_with_its_own_execution()
    {
        var ns = $"tests/group/{Guid.NewGuid():N}";
        await using var store = await PostgresResultStore.OpenAsync(fixture.Server.ConnectionString, ns, new StoreOptions { InlineThreshold = 1024 });
        IResultBatchSink sink = store;
        var rows = new List<(Dag.NodeId Id, byte[] Data, string Execution)>();
        var batches = new List<ResultBatch>();
        for (var b = 0; b < 6; b++)
        {
            var batch = sink.CreateBatch(new ResultWriteOptions());
            batch.Reset("dag-" + b % 2, "execution-" + b);
            for (var i = 0; i < 40; i++)
            {
                // Batch 5 repeats a result of batch 4 (a node computed twice at once): stored once, both callers told it is stored.
                var key = b == 5 && i == 0 ? "group-4-0" : $"group-{b}-{i}";
                var data = Random(50 + i, b * 100 + i);
                if (b == 5 && i == 0) data = rows.Single(r => r.Id == Id(key)).Data;
                Assert.True(batch.TryAdd(Id(key), data, DataType.Binary, "op"));
                if (!(b == 5 && i == 0)) rows.Add((Id(key), data, "execution-" + b));
            }

            batches.Add(batch);
        }

        // The first write is held in the database (the table locked by another client) while the others are handed over:
        // it goes alone (nothing was in flight), the other five queue behind it and go together.
        await using var holder = new NpgsqlConnection(fixture.Server.ConnectionString);
        await holder.OpenAsync();
        var hold = await holder.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand($"LOCK TABLE {store.Schema}.results IN EXCLUSIVE MODE", holder, hold)) await lockTable.ExecuteNonQueryAsync();
        var first = sink.StoreBatchAsync(batches[0]);
        var others = batches.Skip(1).Select(sink.StoreBatchAsync).ToArray();
        Assert.All(batches, b => Assert.Equal(0, b.Count)); // rows taken at hand-over: each caller may reuse its batch at once
        Assert.False(first.IsCompleted);
        await hold.CommitAsync();
        await Task.WhenAll(others.Append(first));

        var (made, handed) = store.GroupCommits;
        Assert.Equal(6, handed);
        Assert.Equal(2, made);
        foreach (var (id, data, execution) in rows)
        {
            Assert.Equal(data, await store.RetrieveAsync(id));
            Assert.Equal(execution, (await store.GetMetadataAsync(id))!.ExecutionId);
        }

        await using var connection = new NpgsqlConnection(fixture.Server.ConnectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand($"SELECT count(*) FROM {store.Schema}.results", connection);
        Assert.Equal((long)rows.Count, (long)(await count.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task A_failed_write_fails_every_batch_it_held_and_the_next_batch_is_written()
    {
        var ns = $"tests/group-fail/{Guid.NewGuid():N}";
        await using var store = await PostgresResultStore.OpenAsync(fixture.Server.ConnectionString, ns, new StoreOptions { InlineThreshold = 1024 });
        IResultBatchSink sink = store;
        await using (var connection = new NpgsqlConnection(fixture.Server.ConnectionString))
        {
            // The table goes away under the store: a write fails as a database failure would.
            await connection.OpenAsync();
            await using var rename = new NpgsqlCommand($"ALTER TABLE {store.Schema}.results RENAME TO results_gone", connection);
            await rename.ExecuteNonQueryAsync();
        }

        var batch = sink.CreateBatch(new ResultWriteOptions());
        batch.Reset("dag", "execution");
        Assert.True(batch.TryAdd(Id("fail-0"), Random(10, 1), DataType.Binary, "op"));
        var e = await Assert.ThrowsAsync<StorageException>(() => sink.StoreBatchAsync(batch));
        Assert.Contains(ns, e.Message);

        await using (var connection = new NpgsqlConnection(fixture.Server.ConnectionString))
        {
            await connection.OpenAsync();
            await using var back = new NpgsqlCommand($"ALTER TABLE {store.Schema}.results_gone RENAME TO results", connection);
            await back.ExecuteNonQueryAsync();
        }

        batch.Reset("dag", "execution");
        Assert.True(batch.TryAdd(Id("fail-1"), Random(10, 2), DataType.Binary, "op"));
        await sink.StoreBatchAsync(batch);
        Assert.Equal(Random(10, 2), await store.RetrieveAsync(Id("fail-1")));
    }
}
