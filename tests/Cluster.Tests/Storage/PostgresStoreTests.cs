using Npgsql;
using VoxScheduler.Dag;
using VoxScheduler.Execution;
using VoxScheduler.Scheduling;
using VoxScheduler.Cluster.Postgres;
using VoxScheduler.Storage;
using VoxScheduler.Tests.Scheduling;
using VoxScheduler.Values;
using static VoxScheduler.Tests.Storage.StoreTestData;

namespace VoxScheduler.Tests.Storage;

/// <summary>What the postgres backend promises beyond the common contract: a store shared by many machines.</summary>
[Collection("postgres")]
[Trait("Category", "Postgres")]
public sealed class PostgresStoreTests(PostgresServerFixture fixture)
{
    private static string NewNamespace(string label) => $"tests/{label}/{Guid.NewGuid():N}";

    private Task<PostgresResultStore> OpenAsync(string storeNamespace, StoreOptions? options = null) =>
        PostgresResultStore.OpenAsync(fixture.Server.ConnectionString, storeNamespace, options ?? new StoreOptions { InlineThreshold = 1024 }).AsTask();

    [Fact]
    public async Task Two_machines_storing_the_same_results_at_once_store_each_exactly_once()
    {
        var ns = NewNamespace("race");
        await using var a = await OpenAsync(ns);
        await using var b = await OpenAsync(ns);
        var items = Enumerable.Range(0, 60)
            .Select(i => (Id: Id("race-" + i), Data: i % 6 == 0 ? Random(2 * 1024 * 1024 + i, i) : Random(100 + i, i)))
            .ToArray();
        var outcomes = await Task.WhenAll(items.Select(item => Task.WhenAll(
            Task.Run(async () => await a.StoreAsync(item.Id, item.Data, Meta(item.Id))),
            Task.Run(async () => await b.StoreAsync(item.Id, item.Data, Meta(item.Id))))));
        for (var i = 0; i < items.Length; i++)
        {
            Assert.True(outcomes[i].Count(stored => stored) == 1, $"result {i} was reported stored {outcomes[i].Count(s => s)} times");
            Assert.Equal(items[i].Data, await a.RetrieveAsync(items[i].Id));
            Assert.Equal(items[i].Data, await b.RetrieveAsync(items[i].Id));
        }

        // Exactly one row per result and no chunk left over from the losing writers.
        await using var connection = new NpgsqlConnection(fixture.Server.ConnectionString);
        await connection.OpenAsync();
        var schema = a.Schema;
        Assert.Equal((long)items.Length, await ScalarAsync(connection, $"SELECT count(*) FROM {schema}.results"));
        Assert.Equal(0L, await ScalarAsync(connection,
            $"SELECT count(*) FROM {schema}.chunks WHERE blob_id NOT IN (SELECT blob_id FROM {schema}.results WHERE blob_id IS NOT NULL)"));
    }

    [Fact]
    public async Task Stores_of_many_namespaces_share_one_pool_so_connections_do_not_grow_with_namespaces()
    {
        // Each store had its own pool, whose idle connections stayed open: a silo that had served
        // about twenty namespaces made PostgreSQL refuse every new client (53300, too many clients).
        var stores = new List<PostgresResultStore>();
        try
        {
            for (var i = 0; i < 40; i++)
            {
                var store = await OpenAsync(NewNamespace("pool"));
                stores.Add(store);
                var id = Id("pool-" + i);
                Assert.True(await store.StoreAsync(id, Random(100 + i, i), Meta(id)));
                Assert.Equal(Random(100 + i, i), await store.RetrieveAsync(id));
            }

            await using var connection = new NpgsqlConnection(fixture.Server.ConnectionString); // no application name: not counted
            await connection.OpenAsync();
            var held = await ScalarAsync(connection,
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'VoxScheduler' AND datname = current_database()");
            Assert.True(held <= 10, $"40 open stores hold {held} connections");
        }
        finally
        {
            foreach (var store in stores) await store.DisposeAsync();
        }

        // The stores still work after others on the same pool closed.
        await using var again = await OpenAsync(NewNamespace("pool"));
        Assert.False(await again.ExistsAsync(Id("pool-0")));
    }

    [Fact]
    public async Task Flush_and_dispose_wait_for_every_write_already_accepted()
    {
        // Each write is its own transaction on a pooled connection: a flush that returned at once
        // left large writes (many chunks) still uncommitted, so another machine did not see them yet.
        var ns = NewNamespace("flush");
        var items = Enumerable.Range(0, 8).Select(i => (Id: Id("flush-" + i), Data: Random(3 * 1024 * 1024 + i, i))).ToArray();
        await using var writer = await OpenAsync(ns);
        await using var other = await OpenAsync(ns, new StoreOptions { ReadOnly = true }); // open before, so the check follows the flush at once
        var writes = items.Select(item => writer.StoreAsync(item.Id, item.Data, Meta(item.Id)).AsTask()).ToArray();
        await writer.FlushAsync();
        var committed = await other.ExistsManyAsync(items.Select(item => item.Id).ToArray());
        Assert.Equal(items.Length, committed.Count(found => found)); // every write accepted before the flush is visible elsewhere

        Assert.All(await Task.WhenAll(writes), Assert.True);

        // Dispose waits as well: writes accepted just before it are committed, not cut off.
        var late = Enumerable.Range(0, 4).Select(i => (Id: Id("late-" + i), Data: Random(3 * 1024 * 1024 + 10 + i, 10 + i))).ToArray();
        var closing = await OpenAsync(ns);
        var lateWrites = late.Select(item => closing.StoreAsync(item.Id, item.Data, Meta(item.Id)).AsTask()).ToArray();
        await closing.DisposeAsync();
        Assert.All(await Task.WhenAll(lateWrites), Assert.True);
        foreach (var item in late) Assert.Equal(item.Data, await other.RetrieveAsync(item.Id));
    }

    [Fact]
    public async Task Streamed_writes_of_the_same_result_from_two_machines_leave_one_copy()
    {
        var ns = NewNamespace("streams");
        await using var a = await OpenAsync(ns);
        await using var b = await OpenAsync(ns);
        var id = Id("streamed-twice");
        var data = Random(3 * 1024 * 1024 + 5, 3);
        await using var first = await a.OpenWriteAsync(id, Meta(id));
        await using var second = await b.OpenWriteAsync(id, Meta(id));
        await first.WriteAsync(data);
        await second.WriteAsync(data);
        Assert.False(await a.ExistsAsync(id)); // neither is visible before its commit
        var one = await first.CommitAsync();
        var two = await second.CommitAsync();
        Assert.Equal(one, two);
        Assert.Equal(data, await b.RetrieveAsync(id));
        await using var connection = new NpgsqlConnection(fixture.Server.ConnectionString);
        await connection.OpenAsync();
        Assert.Equal(4L, await ScalarAsync(connection, $"SELECT count(*) FROM {a.Schema}.chunks")); // one copy: 4 chunks of 1 MiB
    }

    [Fact]
    public async Task Namespaces_keep_stores_apart_and_any_text_is_only_a_name()
    {
        var hostile = "x'; DROP TABLE results; -- \"" + Guid.NewGuid();
        await using var one = await OpenAsync(hostile);
        await using var two = await OpenAsync(NewNamespace("other"));
        var id = Id("apart");
        Assert.True(await one.StoreAsync(id, Random(50, 1), Meta(id)));
        Assert.True(await one.ExistsAsync(id));
        Assert.False(await two.ExistsAsync(id));
        Assert.Equal(hostile, one.Location);
        Assert.StartsWith("vox_", one.Schema, StringComparison.Ordinal);
        Assert.Matches("^vox_[0-9a-f]{24}$", one.Schema);

        var tooLong = new string('n', PostgresSchema.MaxNamespaceLength + 1);
        var error = await Assert.ThrowsAsync<StorageException>(() => OpenAsync(tooLong));
        Assert.Contains("at most 1024 characters", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<StorageException>(() => OpenAsync("line\nbreak"));
    }

    [Fact]
    public async Task Opening_read_only_never_creates_a_store_and_refuses_writes()
    {
        var ns = NewNamespace("readonly");
        var missing = await Assert.ThrowsAsync<StorageException>(() => OpenAsync(ns, new StoreOptions { ReadOnly = true }));
        Assert.Contains("no postgres store", missing.Message, StringComparison.Ordinal);
        await using (var writable = await OpenAsync(ns))
        {
            await writable.StoreAsync(Id("ro"), Random(10, 1), Meta(Id("ro")));
        }

        await using var reader = await OpenAsync(ns, new StoreOptions { ReadOnly = true });
        Assert.Equal(Random(10, 1), await reader.RetrieveAsync(Id("ro")));
        var refused = await Assert.ThrowsAsync<StorageException>(async () => await reader.StoreAsync(Id("ro2"), Random(10, 2), Meta(Id("ro2"))));
        Assert.Contains("read-only", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_or_unreachable_database_is_a_clear_error_that_never_shows_the_password()
    {
        var saved = Environment.GetEnvironmentVariable(PostgresResultStore.ConnectionVariable);
        try
        {
            Environment.SetEnvironmentVariable(PostgresResultStore.ConnectionVariable, null);
            var none = await Assert.ThrowsAsync<StorageException>(() => PostgresResultStore.OpenAsync(null, "ns").AsTask());
            Assert.Contains(PostgresResultStore.ConnectionVariable, none.Message, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(PostgresResultStore.ConnectionVariable, saved);
        }

        var unreachable = await Assert.ThrowsAsync<StorageException>(() =>
            PostgresResultStore.OpenAsync("Host=127.0.0.1;Port=1;Username=u;Password=s3cret-pw;Timeout=3", "ns").AsTask());
        Assert.Contains("'ns' cannot be opened", unreachable.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-pw", unreachable.ToString(), StringComparison.Ordinal);

        var malformed = await Assert.ThrowsAsync<StorageException>(() => PostgresResultStore.OpenAsync("Hots=x;Password=s3cret-pw", "ns").AsTask());
        Assert.Contains("not valid", malformed.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-pw", malformed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_execution_persists_in_postgres_and_its_rerun_in_another_scheduler_is_served_from_the_store()
    {
        var saved = Environment.GetEnvironmentVariable(PostgresResultStore.ConnectionVariable);
        Environment.SetEnvironmentVariable(PostgresResultStore.ConnectionVariable, fixture.Server.ConnectionString);
        try
        {
            PostgresBackend.Register(); // the connection string from the variable, as a front end would do it
            var config = new ExecutionConfig { StorageBackend = PostgresBackend.Name, StoragePath = NewNamespace("scheduler"), MaxConcurrentNodes = 4 };
            var b = new DagBuilder();
            var x = b.Operation("t.add", 1, [b.Constant(1.0), b.Constant(2.0)]);
            var y = b.Operation("t.add", 1, [x, b.Constant(10.0)]);
            var z = b.Operation("t.add", 1, [x, b.Constant(20.0)]);
            var w = b.Operation("t.add", 1, [y, z]);
            b.AddGoal(new DagGoal("w", GoalKind.Print, w));
            var dag = b.Build();

            var firstOps = new TestOps();
            await using (var first = firstOps.Scheduler())
            {
                var run = await TestOps.RunAsync(first, dag, config);
                Assert.Equal(ExecutionStatus.Completed, run.Status);
                Assert.Equal(36.0, run.GetGoalResults()[0].Value);
                Assert.Equal(4, firstOps.TotalRuns);
            }

            // Another scheduler (another machine, as far as the store can tell) finds the goal stored.
            var secondOps = new TestOps();
            await using var second = secondOps.Scheduler();
            var rerun = await TestOps.RunAsync(second, dag, config);
            Assert.Equal(ExecutionStatus.Completed, rerun.Status);
            Assert.Equal(NodeStatus.Cached, rerun.GetGoalResults()[0].Status);
            Assert.Equal(36.0, rerun.GetGoalResults()[0].Value);
            Assert.Equal(0, secondOps.TotalRuns);
            var store = await second.GetStoreAsync(PostgresBackend.Name, config.StoragePath);
            Assert.Equal(config.StoragePath, store.Location);
            Assert.Equal(2, await store.ListExecutionsAsync().CountAsync());
        }
        finally
        {
            Environment.SetEnvironmentVariable(PostgresResultStore.ConnectionVariable, saved);
        }
    }

    [Fact]
    public async Task A_schema_1_store_is_read_as_it_is_read_only_then_migrated_keeping_its_records_and_records_memory_usage()
    {
        var ns = NewNamespace("schema1");
        var schema = PostgresSchema.SchemaName(ns);
        var old = new ExecutionRecord
        {
            ExecutionId = "old", Name = "before", DagId = "d1", Status = "Completed", SubmittedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_000),
            CompletedAt = DateTimeOffset.FromUnixTimeMilliseconds(2_000), TotalNodes = 7, CompletedNodes = 5, CachedNodes = 2, Source = "program text",
        };
        await using (var store = await OpenAsync(ns))
        {
            await store.RecordExecutionAsync(old);
        }

        // Take the store back to schema 1 as that version made it: no memory_usage_bytes column.
        await ExecuteAsync($"ALTER TABLE {schema}.executions DROP COLUMN memory_usage_bytes; UPDATE {schema}.store_info SET value = '1' WHERE key = 'schema_version'");

        await using (var reader = await OpenAsync(ns, new StoreOptions { ReadOnly = true }))
        {
            Assert.Equal(old, await reader.GetExecutionAsync("old"));
            Assert.Equal([old], await reader.ListExecutionsAsync().ToListAsync());
        }

        Assert.Equal("1", await ScalarAsync($"SELECT value FROM {schema}.store_info WHERE key = 'schema_version'"));

        await using (var store = await OpenAsync(ns))
        {
            Assert.Equal(old, await store.GetExecutionAsync("old"));
            await store.RecordExecutionAsync(old with { ExecutionId = "new", MemoryUsageBytes = 123_456_789_012 });
        }

        Assert.Equal(PostgresSchema.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
            await ScalarAsync($"SELECT value FROM {schema}.store_info WHERE key = 'schema_version'"));
        await using (var store = await OpenAsync(ns, new StoreOptions { ReadOnly = true }))
        {
            Assert.Null((await store.GetExecutionAsync("old"))!.MemoryUsageBytes);
            Assert.Equal(123_456_789_012, (await store.GetExecutionAsync("new"))!.MemoryUsageBytes);
            Assert.Equal(2, await store.ListExecutionsAsync().CountAsync());
        }
    }

    private Task ExecuteAsync(string sql) => fixture.Server.ExecuteAsync(sql);

    private Task<object?> ScalarAsync(string sql) => fixture.Server.ScalarAsync(sql);

    [Fact]
    public async Task Once_registered_the_factory_opens_looks_up_and_names_postgres_stores_by_namespace()
    {
        PostgresBackend.Register(fixture.Server.ConnectionString);
        var ns = NewNamespace("factory");
        Assert.Contains(PostgresBackend.Name, StoreFactory.RegisteredBackends);
        Assert.Equal(PostgresBackend.Name, StoreFactory.ResolveBackend(" Postgres ", ns));
        Assert.Equal(ns, StoreFactory.Location(PostgresBackend.Name, ns)); // a namespace, never made a path of this machine
        Assert.False(StoreFactory.Exists(PostgresBackend.Name, ns)); // looking creates nothing
        Assert.False(StoreFactory.Exists(PostgresBackend.Name, ns));
        await using (var store = await StoreFactory.OpenAsync(PostgresBackend.Name, ns, new StoreOptions()))
        {
            Assert.Equal(PostgresBackend.Name, store.Backend);
            Assert.Equal(ns, store.Location);
            var id = Id("through-the-factory");
            Assert.True(await store.StoreAsync(id, Random(64, 7), Meta(id)));
        }

        Assert.True(StoreFactory.Exists(PostgresBackend.Name, ns));
        await using var again = await StoreFactory.OpenAsync("postgres", ns, new StoreOptions { ReadOnly = true });
        Assert.Equal(Random(64, 7), await again.RetrieveAsync(Id("through-the-factory")));
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
