using System.Text;
using VoxScheduler.Dag;
using VoxScheduler.Storage;

namespace VoxScheduler.Tests.Storage;

/// <summary>IResultStore.DeleteExecutionAsync (Remove-VoxExecution): history goes, results stay, other executions are untouched.</summary>
public sealed class ExecutionDeletionTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("vox-delete-execution-");

    public void Dispose() => _folder.Delete(recursive: true);

    public static TheoryData<string> Backends => new(StoreFactory.Backends);

    private static ExecutionRecord Record(string id) => new() { ExecutionId = id, Name = id + "-name", Status = "Completed", SubmittedAt = DateTimeOffset.UtcNow };

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Deleting_an_execution_removes_its_record_names_and_history_but_not_results(string backend)
    {
        var node = NodeId.Hash(Encoding.UTF8.GetBytes("deletion-test-" + backend));
        await using var store = await StoreFactory.OpenAsync(backend, Path.Combine(_folder.FullName, backend));
        await store.StoreAsync(node, new byte[] { 1, 2, 3 }, new StorageMetadata { NodeId = node, DataType = VoxScheduler.Values.DataType.Binary, ExecutionId = "gone" });
        foreach (var id in new[] { "gone", "kept" })
        {
            await store.RecordExecutionAsync(Record(id));
            await store.RecordNodeNamesAsync(id, [new ExecutionNodeName(id, "goal", node, true, 0)]);
            await store.RecordNodeHistoryAsync(new NodeHistoryEntry(id, node, "default.add", 1, "Failed", "boom", DateTimeOffset.UtcNow));
        }

        await store.FlushAsync();

        Assert.True(await store.DeleteExecutionAsync("gone"));
        Assert.Null(await store.GetExecutionAsync("gone"));
        Assert.Empty(await store.ListExecutionNodesAsync("gone").ToListAsync());
        Assert.Empty(await store.ListNodeHistoryAsync("gone").ToListAsync());
        Assert.Equal(["kept"], await store.ListExecutionsAsync().Select(r => r.ExecutionId).ToListAsync());
        Assert.Single(await store.ListExecutionNodesAsync("kept").ToListAsync());
        Assert.Single(await store.ListNodeHistoryAsync("kept").ToListAsync());
        Assert.True(await store.ExistsAsync(node));

        Assert.False(await store.DeleteExecutionAsync("gone"));
    }
}
