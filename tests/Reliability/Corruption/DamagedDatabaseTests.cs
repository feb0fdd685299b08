using VoxScheduler.Dag;
using VoxScheduler.Scheduling;
using VoxScheduler.Storage;
using VoxScheduler.Tests.Infrastructure;

namespace VoxScheduler.Tests.Corruption;

/// <summary>A damaged sqlite database file is reported as a StorageException saying what is wrong, never an unhandled crash.</summary>
public sealed class DamagedDatabaseTests
{
    public static TheoryData<string> Damages => new() { "garbage-header", "not-a-database", "truncated", "zero-length-pages" };

    [Theory]
    [MemberData(nameof(Damages))]
    public async Task A_damaged_sqlite_file_is_reported_as_a_storage_error(string damage)
    {
        using var temp = new TempFolder("vox-baddb");
        var folder = temp.Sub("store");
        await using (var store = await StoreFactory.OpenAsync("sqlite", folder))
        {
            for (var i = 0; i < 200; i++)
            {
                var value = DiskDamage.Noise(3000, i);
                await StoredCorruptionTests.WriteAsync(store, NodeId.Hash(value), value);
            }

            await store.FlushAsync();
        }

        var db = Assert.Single(DiskDamage.SqliteFiles(folder));
        foreach (var side in Directory.EnumerateFiles(folder).Where(f => f.EndsWith("-wal", StringComparison.Ordinal) || f.EndsWith("-shm", StringComparison.Ordinal)))
        {
            File.Delete(side);
        }

        var bytes = File.ReadAllBytes(db);
        switch (damage)
        {
            case "garbage-header":
                new Random(1).NextBytes(bytes.AsSpan(0, 100));
                File.WriteAllBytes(db, bytes);
                break;
            case "not-a-database":
                File.WriteAllText(db, "this is a text file where the store's database should be\n");
                break;
            case "truncated":
                File.WriteAllBytes(db, bytes.AsSpan(0, bytes.Length / 3 + 17).ToArray());
                break;
            case "zero-length-pages":
                // The schema page survives, the b-tree pages after it are zeroed.
                Array.Clear(bytes, 8192, bytes.Length - 8192);
                File.WriteAllBytes(db, bytes);
                break;
        }

        // Opening (or, when the header survived, reading everything) reports a StorageException.
        var error = await Assert.ThrowsAnyAsync<StorageException>(async () =>
        {
            await using var store = await StoreFactory.OpenAsync("sqlite", folder);
            await StoreInspector.ReadAllAsync(store);
        });
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
        Assert.Contains(folder, error.Message + error.InnerException?.Message, StringComparison.Ordinal);

        // Through the scheduler: the submission is refused, or the execution ends Failed with the reason.
        var registry = TestEngine.Registry();
        var b = new DagBuilder();
        b.AddGoal(new DagGoal("x", GoalKind.Node, b.Op(registry, "rel.add", b.Constant(1.0), b.Constant(2.0))));
        await using var scheduler = new DynamicScheduler(registry);
        try
        {
            var execution = await scheduler.SubmitAsync(b.Build(), new ExecutionConfig { StorageBackend = "sqlite", StoragePath = folder });
            var status = await execution.WaitBoundedAsync();
            Assert.Equal(ExecutionStatus.Failed, status);
            Assert.False(string.IsNullOrWhiteSpace(execution.Goal("x").Error));
        }
        catch (StorageException e)
        {
            Assert.False(string.IsNullOrWhiteSpace(e.Message));
        }

        ReliabilityCounters.Add("corruptions", 1);
    }
}
