using VoxScheduler.Dag;
using VoxScheduler.Operations.Builtins;
using VoxScheduler.Scheduling;
using VoxScheduler.Storage;

namespace VoxScheduler.Tests.Storage;

/// <summary>
/// The storage default (issue 14): a new store is hybrid unless a backend is chosen; every store
/// records its backend when created; a store without the record is sqlite unless its
/// large-result folder exists; a folder never mixes backends.
/// </summary>
public sealed class StoreBackendRecordTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("sqlite")]
    [InlineData("filesystem")]
    [InlineData("hybrid")]
    public async Task A_new_store_records_its_backend_and_reopens_as_it(string backend)
    {
        var folder = _temp.Combine(backend);
        await (await StoreFactory.OpenAsync(backend, folder)).DisposeAsync();
        Assert.Equal(backend, File.ReadAllText(Path.Combine(folder, StoreFactory.BackendFileName)).Trim());
        Assert.Equal(backend, StoreFactory.DetectBackend(folder));
        await using var again = await StoreFactory.OpenAsync(StoreFactory.AutoBackend, folder);
        Assert.Equal(backend, again.Backend);
    }

    [Fact]
    public async Task Without_a_chosen_backend_a_new_store_is_hybrid()
    {
        Assert.Equal("hybrid", StoreFactory.DefaultBackend);
        Assert.Equal("hybrid", StoreFactory.ResolveBackend(null, _temp.Combine("new")));
        await using (var store = await StoreFactory.OpenAsync(StoreFactory.AutoBackend, _temp.Combine("new")))
        {
            Assert.Equal("hybrid", store.Backend);
        }

        // The engine's default configuration writes a hybrid store too.
        Assert.Equal(StoreFactory.AutoBackend, new ExecutionConfig().StorageBackend);
        await using var scheduler = new DynamicScheduler(BuiltinOperations.CreateRegistry());
        var run = await new VoxScheduler.Hosting.VoxLogicaIntegration(scheduler)
            .ExecuteProgramAsync("print \"x\" 1 + 2", config: new ExecutionConfig { StoragePath = _temp.Combine("engine-default") });
        Assert.Equal(ExecutionStatus.Completed, run.Status);
        Assert.Equal("hybrid", scheduler.Find(run.ExecutionId)!.Store!.Backend);
        Assert.Equal("hybrid", StoreFactory.DetectBackend(_temp.Combine("engine-default")));
    }

    [Fact]
    public async Task A_store_without_the_record_is_sqlite_unless_its_large_folder_exists_and_keeps_working()
    {
        // Stores made before the record: the database alone (the old default, sqlite) ...
        var old = _temp.Combine("old-sqlite");
        await (await StoreFactory.OpenAsync("sqlite", old)).DisposeAsync();
        File.Delete(Path.Combine(old, StoreFactory.BackendFileName));
        Assert.False(Directory.Exists(Path.Combine(old, "large")));
        Assert.Equal("sqlite", StoreFactory.DetectBackend(old));

        // ... and the database with a large-result folder (hybrid).
        var oldHybrid = _temp.Combine("old-hybrid");
        await (await StoreFactory.OpenAsync("hybrid", oldHybrid)).DisposeAsync();
        File.Delete(Path.Combine(oldHybrid, StoreFactory.BackendFileName));
        Directory.CreateDirectory(Path.Combine(oldHybrid, "large"));
        Assert.Equal("hybrid", StoreFactory.DetectBackend(oldHybrid));

        // The new default opens the old default store as what it is, and records it.
        var id = NodeId.Hash("old-default"u8.ToArray());
        await using (var store = await StoreFactory.OpenAsync("sqlite", old))
        {
            await store.StoreAsync(id, new byte[] { 1, 2, 3 }, StoreTestData.Meta(id));
        }

        File.Delete(Path.Combine(old, StoreFactory.BackendFileName));
        await using (var reopened = await StoreFactory.OpenAsync(StoreFactory.AutoBackend, old))
        {
            Assert.Equal("sqlite", reopened.Backend);
            Assert.Equal(new byte[] { 1, 2, 3 }, await reopened.RetrieveAsync(id));
        }

        Assert.Equal("sqlite", File.ReadAllText(Path.Combine(old, StoreFactory.BackendFileName)).Trim());
    }

    [Theory]
    [InlineData("sqlite", "hybrid")]
    [InlineData("hybrid", "sqlite")]
    [InlineData("filesystem", "sqlite")]
    [InlineData("sqlite", "filesystem")]
    public async Task A_folder_never_mixes_backends(string made, string asked)
    {
        var folder = _temp.Combine($"{made}-as-{asked}");
        await (await StoreFactory.OpenAsync(made, folder)).DisposeAsync();
        var before = Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories).Order().ToList();
        var e = await Assert.ThrowsAsync<StorageException>(async () => await StoreFactory.OpenAsync(asked, folder));
        Assert.Contains($"holds a {made} store", e.Message);
        Assert.Contains($"opened as {asked}", e.Message);
        Assert.Equal(before, Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories).Order().ToList());
        Assert.False(StoreFactory.Exists(asked, folder));
        Assert.True(StoreFactory.Exists(made, folder));

        await using var scheduler = new DynamicScheduler(BuiltinOperations.CreateRegistry());
        await Assert.ThrowsAsync<StorageException>(async () => await scheduler.GetStoreAsync(asked, folder));
        Assert.Equal(made, (await scheduler.GetStoreAsync(StoreFactory.AutoBackend, folder)).Backend);
    }
}
