using Microsoft.Data.Sqlite;
using VoxScheduler.Hosting;
using VoxScheduler.Operations.Builtins;
using VoxScheduler.Scheduling;
using VoxScheduler.Storage;

namespace VoxScheduler.Tests.Storage;

/// <summary>
/// The execution history keeps the bytes an execution's nodes allocated (issue 14, item 16), and
/// stores made before it did open, migrate and keep their records.
/// </summary>
public sealed class HistoryMemoryUsageTests
{
    private const string Program = "print \"words\" strings.join(range(0, 400), \",\")";

    [Theory]
    [InlineData("sqlite")]
    [InlineData("hybrid")]
    [InlineData("filesystem")]
    public async Task A_store_made_by_the_old_schema_opens_migrates_keeps_its_record_and_records_memory_usage_from_then_on(string backend)
    {
        // Made by the module of fc22224 (tests/fixtures/history/schema3/make-schema3-stores.ps1.txt).
        using var temp = new TempFolder();
        var folder = temp.Sub(backend);
        CopyFolder(Path.Combine(RepoPaths.Root, "tests", "fixtures", "history", "schema3", backend), folder);
        var database = Path.Combine(folder, SqliteResultStore.DatabaseFileName);
        var isSqlite = backend != "filesystem";
        if (isSqlite) Assert.Equal(3L, Scalar(database, "PRAGMA user_version"));

        // Read-only (a store on read-only media): read as it is, nothing migrated.
        await using (var reader = await StoreFactory.OpenAsync(backend, folder, new StoreOptions { ReadOnly = true }))
        {
            AssertOldRecord(await reader.ListExecutionsAsync().SingleAsync(), backend);
        }

        if (isSqlite) Assert.Equal(3L, Scalar(database, "PRAGMA user_version"));

        string executionId;
        long allocated;
        await using (var scheduler = new DynamicScheduler(BuiltinOperations.CreateRegistry()))
        {
            var result = await new VoxLogicaIntegration(scheduler).ExecuteProgramAsync(Program,
                config: new ExecutionConfig { StorageBackend = backend, StoragePath = folder });
            Assert.Equal(ExecutionStatus.Completed, result.Status);
            executionId = result.ExecutionId;
            allocated = scheduler.Find(executionId)!.GetProgress().AllocatedBytes;
        }

        Assert.True(allocated > 0, "the run allocated nothing");
        if (isSqlite) Assert.Equal((long)SqliteSchema.CurrentVersion, Scalar(database, "PRAGMA user_version"));

        await using var store = await StoreFactory.OpenAsync(backend, folder);
        var records = await store.ListExecutionsAsync().ToListAsync();
        Assert.Equal(2, records.Count);
        AssertOldRecord(records.Single(r => r.ExecutionId != executionId), backend);
        var recorded = records.Single(r => r.ExecutionId == executionId);
        Assert.Equal("Completed", recorded.Status);
        Assert.Equal(allocated, recorded.MemoryUsageBytes);
        Assert.Equal(allocated, (await store.GetExecutionAsync(executionId))!.MemoryUsageBytes);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("filesystem")]
    public async Task The_running_record_and_the_final_one_carry_the_bytes_allocated_so_far(string backend)
    {
        using var temp = new TempFolder();
        await using (var store = await StoreFactory.OpenAsync(backend, temp.Sub("s")))
        {
            await store.RecordExecutionAsync(new ExecutionRecord { ExecutionId = "zero", Status = "Completed", MemoryUsageBytes = 0 });
            await store.RecordExecutionAsync(new ExecutionRecord { ExecutionId = "big", Status = "Completed", MemoryUsageBytes = 5L << 40 });
            await store.RecordExecutionAsync(new ExecutionRecord { ExecutionId = "unknown", Status = "Completed" });
            await store.FlushAsync();
        }

        await using var reopened = await StoreFactory.OpenAsync(backend, temp.Sub("s"));
        Assert.Equal(0L, (await reopened.GetExecutionAsync("zero"))!.MemoryUsageBytes);
        Assert.Equal(5L << 40, (await reopened.GetExecutionAsync("big"))!.MemoryUsageBytes);
        Assert.Null((await reopened.GetExecutionAsync("unknown"))!.MemoryUsageBytes);
    }

    private static void AssertOldRecord(ExecutionRecord record, string backend)
    {
        Assert.Equal("old-" + backend, record.Name);
        Assert.Equal("Completed", record.Status);
        Assert.Equal("0b52ba3e93550d8e", record.DagId);
        Assert.Equal(6, record.TotalNodes);
        Assert.Equal(6, record.CompletedNodes);
        Assert.Equal("program text", record.Source);
        Assert.NotNull(record.CompletedAt);
        Assert.Null(record.MemoryUsageBytes); // the old schema never kept it: unknown, not 0
    }

    private static object? Scalar(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False;Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static void CopyFolder(string source, string target)
    {
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }
    }
}
