using System.Diagnostics;
using System.Globalization;
using Npgsql;
using VoxScheduler.Cluster.Postgres;
using VoxScheduler.Storage;

namespace VoxScheduler.Tests.Storage;

/// <summary>
/// The surviving silos end the history records a dead coordinator left unfinished (issue 16):
/// one conditional UPDATE per store, on a real PostgreSQL. Only unfinished records of the silos
/// given (those the cluster declared dead) change, each exactly once whoever sweeps at the same
/// time, and an ended record is final even for the silo that wrote it.
/// </summary>
[Collection("postgres")]
[Trait("Category", "Postgres")]
public sealed class PostgresLostCoordinatorTests(PostgresServerFixture fixture)
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);

    private static string NewNamespace(string label) => $"tests/{label}/{Guid.NewGuid():N}";

    private static string NewSilo() => $"127.0.0.1:{Random.Shared.Next(20000, 60000)}@{Random.Shared.Next(1, int.MaxValue)}";

    private Task<PostgresResultStore> OpenAsync(string storeNamespace, StoreOptions? options = null) =>
        PostgresResultStore.OpenAsync(fixture.Server.ConnectionString, storeNamespace, options).AsTask();

    // Owned by a process of another machine: read back as stored, whatever this machine sees of its pids.
    private static ExecutionRecord Record(string id, string status, string? coordinator) => new()
    {
        ExecutionId = id, Status = status, Coordinator = coordinator, SubmittedAt = Start, TotalNodes = 5, CompletedNodes = 2,
        Owner = $"another-machine-{Guid.NewGuid():N}/4242/1700000000", Error = status == "Running" ? "a node failed and is retried" : null,
    };

    [Fact]
    public async Task Concurrent_sweeps_end_each_unfinished_record_of_the_dead_coordinators_exactly_once_and_touch_nothing_else()
    {
        var (dead, otherDead, live) = (NewSilo(), NewSilo(), NewSilo());
        var (ns1, ns2) = (NewNamespace("lost"), NewNamespace("lost"));
        await using var one = await OpenAsync(ns1);
        await using var two = await OpenAsync(ns2);
        await one.RecordExecutionAsync(Record("dead-running", "Running", dead));
        await one.RecordExecutionAsync(Record("dead-pending", "Pending", dead));
        await one.RecordExecutionAsync(Record("dead-completed", "Completed", dead) with { CompletedAt = Start.AddSeconds(9) });
        await one.RecordExecutionAsync(Record("live-running", "Running", live));
        await one.RecordExecutionAsync(Record("local-running", "Running", null));
        await two.RecordExecutionAsync(Record("other-dead-running", "Running", otherDead));
        await two.RecordExecutionAsync(Record("live-running-2", "Running", live));

        // Four silos hear of the deaths at once: the records change once in all.
        var counts = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            Task.Run(() => PostgresLostCoordinators.InterruptAsync(fixture.Server.ConnectionString, [dead, otherDead], CancellationToken.None))));
        Assert.Equal(3, counts.Sum());
        Assert.Equal(0, await PostgresLostCoordinators.InterruptAsync(fixture.Server.ConnectionString, [dead, otherDead], CancellationToken.None));

        // As stored (no read-time resolution): what any machine reads.
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach (var (store, id, silo) in new[] { (one, "dead-running", dead), (one, "dead-pending", dead), (two, "other-dead-running", otherDead) })
        {
            var row = await RowAsync(store.Schema, id);
            Assert.Equal("Interrupted", row.Status);
            Assert.Equal(ExecutionOwner.LostCoordinatorReason(silo), row.Error);
            Assert.Contains(silo, row.Error, StringComparison.Ordinal);
            Assert.NotNull(row.CompletedAt);
            Assert.InRange(row.CompletedAt!.Value, before - 120_000, before + 1_000);
            Assert.Equal(2, row.CompletedNodes); // how far it got is kept
        }

        Assert.Equal(("Completed", null), (await RowAsync(one.Schema, "dead-completed")).StatusAndError);
        Assert.Equal(Start.AddSeconds(9).ToUnixTimeMilliseconds(), (await RowAsync(one.Schema, "dead-completed")).CompletedAt);
        foreach (var (store, id) in new[] { (one, "live-running"), (one, "local-running"), (two, "live-running-2") })
        {
            var row = await RowAsync(store.Schema, id);
            Assert.Equal(("Running", "a node failed and is retried"), row.StatusAndError);
            Assert.Null(row.CompletedAt);
        }

        // The store reads it so too, with the coordinator it names.
        var read = await one.GetExecutionAsync("dead-running");
        Assert.Equal(("Interrupted", ExecutionOwner.LostCoordinatorReason(dead), dead), (read!.Status, read.Error, read.Coordinator));
        Assert.Equal(live, (await one.GetExecutionAsync("live-running"))!.Coordinator);
    }

    [Fact]
    public async Task An_ended_record_is_final_even_for_a_coordinator_declared_dead_that_still_writes()
    {
        var (cutOff, live) = (NewSilo(), NewSilo());
        await using var store = await OpenAsync(NewNamespace("final"));
        await store.RecordExecutionAsync(Record("cut-off", "Running", cutOff));
        await store.RecordExecutionAsync(Record("live", "Running", live));
        Assert.Equal(1, await PostgresLostCoordinators.InterruptAsync(fixture.Server.ConnectionString, [cutOff], CancellationToken.None));

        // A silo cut off (not dead) writes a late checkpoint, then its end, before it learns it was declared dead and stops.
        await store.RecordExecutionAsync(Record("cut-off", "Running", cutOff) with { CompletedNodes = 4 });
        await store.RecordExecutionAsync(Record("cut-off", "Completed", cutOff) with { CompletedNodes = 5, CompletedAt = Start.AddSeconds(30) });
        var row = await RowAsync(store.Schema, "cut-off");
        Assert.Equal(("Interrupted", ExecutionOwner.LostCoordinatorReason(cutOff)), row.StatusAndError);
        Assert.Equal(2, row.CompletedNodes);

        // A live coordinator's record still moves as it runs, and ends once.
        await store.RecordExecutionAsync(Record("live", "Running", live) with { CompletedNodes = 4 });
        await store.RecordExecutionAsync(Record("live", "Completed", live) with { CompletedNodes = 5, CompletedAt = Start.AddSeconds(30) });
        await store.RecordExecutionAsync(Record("live", "Running", live) with { CompletedNodes = 1 });
        Assert.Equal(("Completed", null), (await RowAsync(store.Schema, "live")).StatusAndError);
        Assert.Equal(5, (await RowAsync(store.Schema, "live")).CompletedNodes);
    }

    [Fact]
    public async Task A_schema_2_store_made_by_the_previous_version_is_read_as_it_is_then_migrated_and_only_its_new_records_can_be_ended()
    {
        // pg_dump of a store made by main at bbe5c5b (tests/fixtures/history/postgres-schema2/make-schema2-store.ps1.txt):
        // a finished execution and one left Running by a killed coordinator, no coordinator column. Loaded under a fresh namespace.
        var ns = NewNamespace("schema2");
        var schema = PostgresSchema.SchemaName(ns);
        var dump = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "tests", "fixtures", "history", "postgres-schema2", "store.sql"));
        Assert.Contains("vox_bc12cddd0f11f2a94e8e945b", dump, StringComparison.Ordinal);
        // psql's meta-commands (\restrict) are psql's, not SQL.
        var sql = string.Join('\n', dump.Split('\n').Where(line => !line.StartsWith('\\')))
            .Replace("vox_bc12cddd0f11f2a94e8e945b", schema, StringComparison.Ordinal)
            .Replace("'fixture/postgres-schema2'", $"'{ns}'", StringComparison.Ordinal);
        await ExecuteAsync(sql);
        Assert.Equal("2", await ScalarAsync($"SELECT value FROM {schema}.store_info WHERE key = 'schema_version'"));

        var silo = NewSilo();
        Assert.Equal(0, await PostgresLostCoordinators.InterruptAsync(fixture.Server.ConnectionString, [silo], CancellationToken.None));
        await using (var reader = await OpenAsync(ns, new StoreOptions { ReadOnly = true }))
        {
            AssertOld(await reader.ListExecutionsAsync().ToListAsync());
        }

        Assert.Equal("2", await ScalarAsync($"SELECT value FROM {schema}.store_info WHERE key = 'schema_version'"));
        await using (var store = await OpenAsync(ns))
        {
            AssertOld(await store.ListExecutionsAsync().ToListAsync());
            await store.RecordExecutionAsync(Record("new", "Running", silo));
        }

        Assert.Equal(PostgresSchema.Version.ToString(CultureInfo.InvariantCulture), await ScalarAsync($"SELECT value FROM {schema}.store_info WHERE key = 'schema_version'"));
        Assert.Equal(1, await PostgresLostCoordinators.InterruptAsync(fixture.Server.ConnectionString, [silo], CancellationToken.None));
        Assert.Equal("Running", (await RowAsync(schema, "old-running")).Status); // no coordinator recorded: nobody can tell it was lost
        Assert.Equal(("Interrupted", ExecutionOwner.LostCoordinatorReason(silo)), (await RowAsync(schema, "new")).StatusAndError);

        static void AssertOld(List<ExecutionRecord> records)
        {
            Assert.Equal(["old-running", "old-completed"], records.Where(r => r.ExecutionId.StartsWith("old-", StringComparison.Ordinal)).Select(r => r.ExecutionId));
            var done = records.Single(r => r.ExecutionId == "old-completed");
            Assert.Equal(("Completed", 6, 4096L, "program text"), (done.Status, done.CompletedNodes, done.MemoryUsageBytes!.Value, done.Source));
            var running = records.Single(r => r.ExecutionId == "old-running");
            Assert.Equal(("Running", (string?)null, 1, "silo-machine/4243/1765099991"), (running.Status, running.Coordinator, running.CompletedNodes, running.Owner));
        }
    }

    [Fact]
    public async Task On_the_dead_silos_machine_its_record_reads_before_the_sweep_as_every_machine_reads_it_after_and_a_local_run_agrees()
    {
        // A process of this machine that has certainly ended (started, waited for, gone): as a killed silo's is.
        using var finished = Process.Start(new ProcessStartInfo("dotnet", "--version") { RedirectStandardOutput = true })!;
        await finished.WaitForExitAsync();
        var parts = ExecutionOwner.Current.Split('/');
        var owner = $"{Environment.MachineName}/{finished.Id}/0" + (parts.Length == 4 ? "/" + parts[3] : string.Empty);
        var silo = NewSilo();
        await using var store = await OpenAsync(NewNamespace("agree"));
        await store.RecordExecutionAsync(Record("lost", "Running", silo) with { Owner = owner });

        // Before any silo sweeps: stored Running, read here (where the process is seen gone) as the sweep will write it.
        Assert.Equal("Running", (await RowAsync(store.Schema, "lost")).Status);
        var before = await store.GetExecutionAsync("lost");
        Assert.Equal(("Interrupted", ExecutionOwner.LostCoordinatorReason(silo)), (before!.Status, before.Error));
        Assert.Equal(1, await PostgresLostCoordinators.InterruptAsync(fixture.Server.ConnectionString, [silo], CancellationToken.None));
        var after = await store.GetExecutionAsync("lost");
        Assert.Equal((before.Status, before.Error), (after!.Status, after.Error));

        // A local run's record (sqlite) whose process ended reads with the same status and the same tail.
        var folder = Path.Combine(Path.GetTempPath(), "vox-lost-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using (var local = await StoreFactory.OpenAsync("sqlite", folder))
            {
                await local.RecordExecutionAsync(Record("local", "Running", null) with { Owner = owner, Error = null });
                var record = await local.GetExecutionAsync("local");
                Assert.Equal(("Interrupted", ExecutionOwner.EndedProcessReason), (record!.Status, record.Error));
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        foreach (var reason in new[] { after.Error!, ExecutionOwner.EndedProcessReason })
        {
            Assert.Contains("ended before it finished", reason, StringComparison.Ordinal);
            Assert.EndsWith("; submit it again to resume: finished results are in the store.", reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_store_that_refuses_the_update_is_named_and_skipped_and_schemas_not_named_as_stores_are_never_touched()
    {
        var silo = NewSilo();
        await using var store = await OpenAsync(NewNamespace("refuse"));
        await store.RecordExecutionAsync(Record("lost", "Running", silo));

        // A schema named as stores are, whose update a trigger refuses; and one that only looks like a store (its name is not
        // of the form this code gives its schemas, so it never goes into a statement).
        var refusing = "vox_" + Guid.NewGuid().ToString("N")[..24];
        const string Odd = "\"vox_Not a store\"";
        await ExecuteAsync($"""
            CREATE SCHEMA {refusing};
            CREATE TABLE {refusing}.executions(execution_id text PRIMARY KEY, status text, error text, completed_at bigint, coordinator text);
            INSERT INTO {refusing}.executions VALUES ('x', 'Running', NULL, NULL, '{silo}');
            CREATE FUNCTION {refusing}.refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by a trigger'; END $$;
            CREATE TRIGGER refuse BEFORE UPDATE ON {refusing}.executions FOR EACH ROW EXECUTE FUNCTION {refusing}.refuse();
            CREATE SCHEMA {Odd};
            CREATE TABLE {Odd}.executions(execution_id text PRIMARY KEY, status text, error text, completed_at bigint, coordinator text);
            INSERT INTO {Odd}.executions VALUES ('y', 'Running', NULL, NULL, '{silo}');
            """);
        try
        {
            var outcome = await PostgresLostCoordinators.SweepAsync(fixture.Server.ConnectionString, [silo], CancellationToken.None);
            Assert.Equal(1, outcome.Changed);
            var failure = Assert.Single(outcome.Failed);
            Assert.StartsWith(refusing + ": P0001", failure, StringComparison.Ordinal);
            Assert.Contains("refused by a trigger", failure, StringComparison.Ordinal);
            Assert.Equal("Interrupted", (await RowAsync(store.Schema, "lost")).Status);
            Assert.Equal("Running", await ScalarAsync($"SELECT status FROM {refusing}.executions"));
            Assert.Equal("Running", await ScalarAsync($"SELECT status FROM {Odd}.executions"));
        }
        finally
        {
            await ExecuteAsync($"DROP SCHEMA {refusing} CASCADE; DROP SCHEMA {Odd} CASCADE;");
        }
    }

    [Fact]
    public async Task A_sweep_takes_a_bounded_number_of_silos_and_needs_a_connection_string()
    {
        var many = Enumerable.Range(0, PostgresLostCoordinators.MaxSilos + 1).Select(i => $"10.0.0.1:{i}@1").ToList();
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => PostgresLostCoordinators.InterruptAsync(fixture.Server.ConnectionString, many, CancellationToken.None));
        Assert.Equal(0, await PostgresLostCoordinators.InterruptAsync(fixture.Server.ConnectionString, [], CancellationToken.None));
        var saved = Environment.GetEnvironmentVariable(PostgresResultStore.ConnectionVariable);
        Environment.SetEnvironmentVariable(PostgresResultStore.ConnectionVariable, null);
        try
        {
            await Assert.ThrowsAsync<StorageException>(() => PostgresLostCoordinators.InterruptAsync(null, [NewSilo()], CancellationToken.None));
        }
        finally
        {
            Environment.SetEnvironmentVariable(PostgresResultStore.ConnectionVariable, saved);
        }
    }

    private sealed record Row(string Status, string? Error, long? CompletedAt, int CompletedNodes)
    {
        public (string, string?) StatusAndError => (Status, Error);
    }

    private async Task<Row> RowAsync(string schema, string executionId)
    {
        await using var connection = new NpgsqlConnection(fixture.Server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT status, error, completed_at, completed_nodes FROM {schema}.executions WHERE execution_id = $1", connection);
        command.Parameters.AddWithValue(executionId);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), $"no record {executionId}");
        return new Row(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetInt64(2), reader.GetInt32(3));
    }

    private Task ExecuteAsync(string sql) => fixture.Server.ExecuteAsync(sql);

    private Task<object?> ScalarAsync(string sql) => fixture.Server.ScalarAsync(sql);
}
