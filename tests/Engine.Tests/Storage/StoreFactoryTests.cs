using Microsoft.Data.Sqlite;
using VoxScheduler.Storage;
using VoxScheduler.Dag;

namespace VoxScheduler.Tests.Storage;

/// <summary>Opening stores: backends, unusable paths, damaged or foreign databases, schema versions.</summary>
public sealed class StoreFactoryTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task An_unknown_backend_is_refused_listing_the_valid_ones()
    {
        var e = await Assert.ThrowsAsync<StorageException>(async () => await StoreFactory.OpenAsync("cassandra", _temp.Combine("s")));
        Assert.Contains("cassandra", e.Message);
        foreach (var backend in StoreFactory.Backends) Assert.Contains(backend, e.Message);
    }

    [Fact]
    public async Task A_registered_backend_opens_and_looks_up_stores_by_its_own_location_and_is_listed_in_errors()
    {
        // A backend from outside the engine (the cluster registers postgres this way): here one that
        // keeps each "namespace" as a sqlite store in a folder of its own, so the seam is exercised with a real store.
        var root = _temp.Combine("registered");
        string Folder(string location) => Path.Combine(root, Convert.ToHexStringLower(System.Text.Encoding.UTF8.GetBytes(location)));
        StoreFactory.RegisterBackend("Test-Sidecar",
            async (location, options, ct) => await StoreFactory.OpenAsync("sqlite", Folder(location), options, ct),
            (location, _) => ValueTask.FromResult(StoreFactory.Exists("sqlite", Folder(location))));

        Assert.Contains("test-sidecar", StoreFactory.RegisteredBackends);
        Assert.True(StoreFactory.IsRegistered("TEST-sidecar "));
        Assert.DoesNotContain("test-sidecar", StoreFactory.Backends); // the folder backends stay as they were
        Assert.Equal("test-sidecar", StoreFactory.ResolveBackend("test-sidecar", "lab/one"));
        Assert.Equal("lab/one", StoreFactory.Location("test-sidecar", "lab/one")); // taken as given, never a path here
        Assert.False(StoreFactory.Exists("test-sidecar", "lab/one"));
        await using (var store = await StoreFactory.OpenAsync("test-sidecar", "lab/one"))
        {
            Assert.Equal("sqlite", store.Backend);
        }

        Assert.True(StoreFactory.Exists("test-sidecar", "lab/one"));
        Assert.False(Directory.Exists(Path.GetFullPath("lab/one")));
        var unknown = await Assert.ThrowsAsync<StorageException>(async () => await StoreFactory.OpenAsync("cassandra", _temp.Combine("s")));
        Assert.Contains("test-sidecar", unknown.Message);
    }

    [Theory]
    [InlineData("hybrid")]
    [InlineData("auto")]
    [InlineData("")]
    [InlineData("a b")]
    public void A_registered_backend_needs_a_name_of_its_own(string name) =>
        Assert.Throws<ArgumentException>(() => StoreFactory.RegisterBackend(name,
            (_, _, _) => throw new InvalidOperationException(), (_, _) => ValueTask.FromResult(false)));

    [Theory]
    [InlineData("sqlite")]
    [InlineData("SQLite")]
    [InlineData("filesystem")]
    [InlineData("hybrid")]
    public async Task Each_backend_opens_by_name_and_reports_it(string backend)
    {
        await using var store = await StoreFactory.OpenAsync(backend, _temp.Combine("s"));
        Assert.Equal(backend.ToLowerInvariant(), store.Backend);
        Assert.Equal(Path.GetFullPath(_temp.Combine("s")), store.Location);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("filesystem")]
    [InlineData("hybrid")]
    public async Task Opening_only_an_existing_store_creates_nothing(string backend)
    {
        var plain = _temp.Combine("plain");
        Directory.CreateDirectory(plain);
        Assert.False(StoreFactory.Exists(backend, plain));
        Assert.False(StoreFactory.Exists(backend, _temp.Combine("missing")));
        await using (var scheduler = new VoxScheduler.Scheduling.DynamicScheduler(VoxScheduler.Operations.Builtins.BuiltinOperations.CreateRegistry()))
        {
            Assert.Null(await scheduler.GetExistingStoreAsync(backend, plain));
            Assert.Null(await scheduler.GetExistingStoreAsync(backend, _temp.Combine("missing")));
        }

        Assert.Empty(Directory.EnumerateFileSystemEntries(plain));
        Assert.False(Directory.Exists(_temp.Combine("missing")));

        await (await StoreFactory.OpenAsync(backend, _temp.Combine("real"))).DisposeAsync();
        Assert.True(StoreFactory.Exists(backend, _temp.Combine("real")));
        await using var again = new VoxScheduler.Scheduling.DynamicScheduler(VoxScheduler.Operations.Builtins.BuiltinOperations.CreateRegistry());
        var store = await again.GetExistingStoreAsync(backend, _temp.Combine("real"));
        Assert.NotNull(store);
        Assert.Equal(backend, store.Backend);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("filesystem")]
    [InlineData("hybrid")]
    public async Task A_file_where_the_folder_should_be_is_reported(string backend)
    {
        var file = _temp.Combine("plain.txt");
        await File.WriteAllTextAsync(file, "hello");
        var e = await Assert.ThrowsAsync<StorageException>(async () => await StoreFactory.OpenAsync(backend, file));
        Assert.Contains("is a file", e.Message);

        var below = await Assert.ThrowsAsync<StorageException>(async () => await StoreFactory.OpenAsync(backend, Path.Combine(file, "sub")));
        Assert.Contains("cannot be created", below.Message);
    }

    [Fact]
    public async Task A_damaged_database_file_is_reported_not_a_crash()
    {
        var junk = new byte[8192];
        new Random(1).NextBytes(junk);
        foreach (var backend in new[] { "sqlite", "hybrid" })
        {
            // A store without a backend record is hybrid when it has its large-result folder.
            var folder = _temp.Combine("damaged-" + backend);
            Directory.CreateDirectory(folder);
            if (backend == "hybrid") Directory.CreateDirectory(Path.Combine(folder, "large"));
            await File.WriteAllBytesAsync(Path.Combine(folder, SqliteResultStore.DatabaseFileName), junk);
            var e = await Assert.ThrowsAsync<StorageException>(async () => await StoreFactory.OpenAsync(backend, folder));
            Assert.Contains("not a SQLite database", e.Message);
        }
    }

    [Fact]
    public async Task A_foreign_sqlite_database_is_not_touched()
    {
        var folder = _temp.Combine("foreign");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, SqliteResultStore.DatabaseFileName);
        Execute(path, "CREATE TABLE people(name TEXT); INSERT INTO people VALUES ('ada');");
        var e = await Assert.ThrowsAsync<StorageException>(async () => await StoreFactory.OpenAsync("sqlite", folder));
        Assert.Contains("not a VoxScheduler store", e.Message);
        Assert.Equal("ada", Scalar(path, "SELECT name FROM people"));
    }

    [Fact]
    public async Task A_newer_schema_version_is_refused_and_left_alone()
    {
        var folder = _temp.Combine("newer");
        await (await StoreFactory.OpenAsync("sqlite", folder)).DisposeAsync();
        var path = Path.Combine(folder, SqliteResultStore.DatabaseFileName);
        Execute(path, "PRAGMA user_version = 99;");
        var e = await Assert.ThrowsAsync<StorageException>(async () => await StoreFactory.OpenAsync("sqlite", folder));
        Assert.Contains("schema version 99", e.Message);
        Assert.Equal(99L, Scalar(path, "PRAGMA user_version"));
    }

    [Fact]
    public async Task A_newer_filesystem_format_is_refused()
    {
        var folder = _temp.Combine("fs-newer");
        await (await StoreFactory.OpenAsync("filesystem", folder)).DisposeAsync();
        await File.WriteAllTextAsync(Path.Combine(folder, "fsstore.json"), """{"format":"voxscheduler-filesystem-store","version":7}""");
        var e = await Assert.ThrowsAsync<StorageException>(async () => await StoreFactory.OpenAsync("filesystem", folder));
        Assert.Contains("format version 7", e.Message);
    }

    [Fact]
    public async Task The_sqlite_store_uses_wal_and_records_its_schema_version()
    {
        var folder = _temp.Combine("wal");
        await using (var store = await StoreFactory.OpenAsync("sqlite", folder))
        {
            var path = Path.Combine(folder, SqliteResultStore.DatabaseFileName);
            Assert.Equal("wal", Scalar(path, "PRAGMA journal_mode"));
            Assert.Equal((long)SqliteSchema.CurrentVersion, Scalar(path, "PRAGMA user_version"));
        }
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("hybrid")]
    public async Task New_sqlite_databases_are_made_with_the_store_page_size(string backend)
    {
        var folder = _temp.Combine("page-" + backend);
        await (await StoreFactory.OpenAsync(backend, folder)).DisposeAsync();
        Assert.Equal((long)SqliteSchema.PageSize, Scalar(Path.Combine(folder, SqliteResultStore.DatabaseFileName), "PRAGMA page_size"));
    }

    [Fact]
    public async Task A_store_made_with_4_KiB_pages_keeps_them_and_stores_and_reads_as_before()
    {
        // Stores made before the page size changed have SQLite's default 4 KiB pages.
        var folder = _temp.Combine("page-4k");
        var path = Path.Combine(folder, SqliteResultStore.DatabaseFileName);
        await (await StoreFactory.OpenAsync("sqlite", folder)).DisposeAsync();
        Execute(path, "PRAGMA journal_mode=DELETE; PRAGMA page_size=4096; VACUUM; PRAGMA journal_mode=WAL;");
        Assert.Equal(4096L, Scalar(path, "PRAGMA page_size"));

        var small = Enumerable.Range(0, 500).Select(i => (Id: StoreTestData.Id("small-" + i), Data: StoreTestData.Random(40 + (i % 300), i))).ToList();
        var large = (Id: StoreTestData.Id("large"), Data: StoreTestData.Random(5 * 1024 * 1024 + 123, 7));
        await using (var store = await StoreFactory.OpenAsync("sqlite", folder))
        {
            foreach (var (id, data) in small.Append(large)) Assert.True(await store.StoreAsync(id, data, StoreTestData.Meta(id)));
            await store.FlushAsync();
        }

        await using (var store = await StoreFactory.OpenAsync("sqlite", folder))
        {
            foreach (var (id, data) in small.Append(large)) Assert.Equal(data, await store.RetrieveAsync(id));
            Assert.Equal(small.Count + 1, await store.ListAsync(new ResultQuery()).CountAsync());
        }

        Assert.Equal(4096L, Scalar(path, "PRAGMA page_size"));
        Assert.Equal("ok", Scalar(path, "PRAGMA integrity_check"));
    }

    [Fact]
    public async Task A_version_1_sqlite_store_is_migrated_keeping_its_history_and_results()
    {
        var folder = _temp.Combine("v1");
        var id = NodeId.Hash("v1-result"u8);
        var path = Path.Combine(folder, SqliteResultStore.DatabaseFileName);
        await using (var store = await StoreFactory.OpenAsync("sqlite", folder))
        {
            await store.StoreAsync(id, new byte[] { 1, 2, 3 }, new StorageMetadata { NodeId = id, DataType = VoxScheduler.Values.DataType.Binary });
            await store.RecordExecutionAsync(new ExecutionRecord { ExecutionId = "old", Status = "Completed", SubmittedAt = DateTimeOffset.UnixEpoch, TotalNodes = 1 });
            await store.FlushAsync();
        }

        // Take the file back to version 1: results keyed by node_id, no owner column.
        TakeBackToVersion2(path);
        Execute(path, "ALTER TABLE executions DROP COLUMN owner;");
        Execute(path, "PRAGMA user_version = 1;");

        await using (var store = await StoreFactory.OpenAsync("sqlite", folder))
        {
            var old = await store.GetExecutionAsync("old");
            Assert.NotNull(old);
            Assert.Equal("Completed", old!.Status);
            Assert.Null(old.Owner);
            Assert.Equal(new byte[] { 1, 2, 3 }, await store.RetrieveAsync(id));
            await store.RecordExecutionAsync(new ExecutionRecord { ExecutionId = "new", Status = "Running", SubmittedAt = DateTimeOffset.UnixEpoch, Owner = ExecutionOwner.Current });
            Assert.Equal(ExecutionOwner.Current, (await store.GetExecutionAsync("new"))!.Owner);
        }

        Assert.Equal((long)SqliteSchema.CurrentVersion, Scalar(path, "PRAGMA user_version"));
    }

    [Fact]
    public async Task A_version_2_sqlite_store_is_read_as_it_is_read_only_and_migrated_keeping_every_result_and_its_order()
    {
        var folder = _temp.Combine("v2");
        var path = Path.Combine(folder, SqliteResultStore.DatabaseFileName);
        var results = Enumerable.Range(0, 40)
            .Select(i => (Id: i % 10 == 3 ? StoreTestData.SharingPrefix("v2", i) : StoreTestData.Id("v2-" + i), Data: StoreTestData.Random(i == 20 ? 3 * 1024 * 1024 : 20 + i, i)))
            .ToList();
        List<NodeId> order;
        await using (var store = await StoreFactory.OpenAsync("sqlite", folder))
        {
            foreach (var (id, data) in results) Assert.True(await store.StoreAsync(id, data, StoreTestData.Meta(id, dag: "v2")));
            await store.FlushAsync();
            order = await store.ListAsync().Select(m => m.NodeId).ToListAsync();
        }

        TakeBackToVersion2(path);

        // Read-only media cannot be migrated: the store is read with version 2's lookups.
        await using (var store = await StoreFactory.OpenAsync("sqlite", folder, new StoreOptions { ReadOnly = true }))
        {
            foreach (var (id, data) in results) Assert.Equal(data, await store.RetrieveAsync(id));
            Assert.Equal(results.Select(r => true), await store.ExistsManyAsync(results.Select(r => r.Id).ToList()));
            Assert.False(await store.ExistsAsync(StoreTestData.SharingPrefix("v2", 4)));
            Assert.Equal(order, await store.ListAsync().Select(m => m.NodeId).ToListAsync());
        }

        Assert.Equal(2L, Scalar(path, "PRAGMA user_version"));

        var added = StoreTestData.SharingPrefix("v2", 1000);
        await using (var store = await StoreFactory.OpenAsync("sqlite", folder))
        {
            foreach (var (id, data) in results) Assert.Equal(data, await store.RetrieveAsync(id));
            Assert.Equal(order, await store.ListAsync().Select(m => m.NodeId).ToListAsync());
            Assert.True(await store.StoreAsync(added, new byte[] { 1, 2 }, StoreTestData.Meta(added)));
            Assert.False(await store.StoreAsync(results[13].Id, results[13].Data, StoreTestData.Meta(results[13].Id)));
            Assert.Equal(new byte[] { 1, 2 }, await store.RetrieveAsync(added));
        }

        Assert.Equal((long)SqliteSchema.CurrentVersion, Scalar(path, "PRAGMA user_version"));
        Assert.Equal("ok", Scalar(path, "PRAGMA integrity_check"));

        // Four of the ids share one key: the first stored holds it, the others (and the one added) have none.
        Assert.Equal(4L, Scalar(path, "SELECT count(*) FROM results WHERE node_key IS NULL"));
        Assert.Equal(results[3].Id.ToByteArray(), Scalar(path, $"SELECT node_id FROM results WHERE node_key = {results[3].Id.StoreKey}"));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("filesystem")]
    [InlineData("hybrid")]
    public async Task Opening_read_only_where_no_store_exists_is_reported(string backend)
    {
        var e = await Assert.ThrowsAsync<StorageException>(async () => await StoreFactory.OpenAsync(backend, _temp.Combine("none"), new StoreOptions { ReadOnly = true }));
        Assert.Contains("read-only", e.Message);
    }

    [Fact]
    public async Task An_unknown_codec_is_refused()
    {
        var e = await Assert.ThrowsAsync<StorageException>(async () => await StoreFactory.OpenAsync("sqlite", _temp.Combine("c"), new StoreOptions { CompressionCodec = "zip" }));
        Assert.Contains("zip", e.Message);
    }

    // Rebuilds the results table as schema version 2 had it (node_id its primary key, no node_key),
    // and the executions table without version 4's memory_usage_bytes.
    private static void TakeBackToVersion2(string path) => Execute(path, """
        ALTER TABLE executions DROP COLUMN memory_usage_bytes;
        CREATE TABLE results_v2(
            node_id BLOB PRIMARY KEY NOT NULL, data_type INTEGER NOT NULL, size INTEGER NOT NULL, stored_size INTEGER NOT NULL,
            compression INTEGER NOT NULL, content_hash BLOB NOT NULL, checksum BLOB, created_at INTEGER NOT NULL, accessed_at INTEGER NOT NULL,
            dag_id TEXT, execution_id TEXT, operator TEXT, metadata TEXT, location INTEGER NOT NULL, blob_id INTEGER, file_name TEXT, data BLOB);
        INSERT INTO results_v2
            SELECT node_id, data_type, size, stored_size, compression, content_hash, checksum, created_at, accessed_at,
                dag_id, execution_id, operator, metadata, location, blob_id, file_name, data
            FROM results ORDER BY rowid;
        DROP TABLE results;
        ALTER TABLE results_v2 RENAME TO results;
        CREATE INDEX results_by_dag ON results(dag_id) WHERE dag_id IS NOT NULL;
        CREATE INDEX results_by_execution ON results(execution_id) WHERE execution_id IS NOT NULL;
        PRAGMA user_version = 2;
        """);

    private static void Execute(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static object? Scalar(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
