using VoxScheduler.Dag;
using VoxScheduler.Execution;
using VoxScheduler.Hosting;
using VoxScheduler.Operations.Builtins;
using VoxScheduler.Scheduling;
using VoxScheduler.Storage;

namespace VoxScheduler.Tests.ClusterProcess;

/// <summary>
/// The results of a local run of the same work (the engine's own scheduler, a sqlite store in a
/// temporary folder): what the cluster's store must hold, node for node.
/// </summary>
internal sealed class ReferenceStore : IAsyncDisposable
{
    private readonly DynamicScheduler _scheduler;
    private readonly TempFolder _folder;

    private ReferenceStore(DynamicScheduler scheduler, TempFolder folder, IResultStore store, List<StorageMetadata> metadata)
    {
        _scheduler = scheduler;
        _folder = folder;
        Store = store;
        Metadata = metadata;
        Ids = metadata.Select(m => m.NodeId).ToHashSet();
    }

    public IResultStore Store { get; }

    /// <summary>Every result the local run stored.</summary>
    public HashSet<NodeId> Ids { get; }

    /// <summary>The metadata of every result the local run stored.</summary>
    public List<StorageMetadata> Metadata { get; }

    public int Count => Ids.Count;

    public static Task<ReferenceStore> DagAsync(DagDefinition dag) =>
        RunAsync(async (scheduler, config) =>
        {
            var execution = await scheduler.SubmitAsync(dag, config);
            return (await execution.Completion, execution.GetGoalResults());
        });

    public static Task<ReferenceStore> ProgramAsync(string program) =>
        RunAsync(async (scheduler, config) =>
        {
            var result = await new VoxLogicaIntegration(scheduler).ExecuteProgramAsync(program, config: config);
            return (result.Status, result.Goals);
        });

    private static async Task<ReferenceStore> RunAsync(Func<DynamicScheduler, ExecutionConfig, Task<(ExecutionStatus Status, IReadOnlyList<GoalResult> Goals)>> run)
    {
        var folder = new TempFolder("vox-cluster-reference");
        var scheduler = new DynamicScheduler(BuiltinOperations.CreateRegistry());
        try
        {
            var config = new ExecutionConfig { StorageBackend = "sqlite", StoragePath = folder.Path, MaxConcurrentNodes = 64 };
            var (status, goals) = await run(scheduler, config).WaitAsync(TimeSpan.FromMinutes(2));
            if (status != ExecutionStatus.Completed)
            {
                // Say why: a reference that fails is a defect of the engine or of the test, not of the cluster.
                var why = string.Join("; ", goals.Where(g => g.Status != NodeStatus.Completed).Select(g => $"{g.Name}: {g.Status} {g.Error}"));
                throw new InvalidOperationException($"The local reference run ended {status}: {why}");
            }
            var store = await scheduler.GetStoreAsync("sqlite", folder.Path);
            await store.FlushAsync();
            var metadata = new List<StorageMetadata>();
            await foreach (var m in store.ListAsync()) metadata.Add(m);
            return new ReferenceStore(scheduler, folder, store, metadata);
        }
        catch
        {
            await scheduler.DisposeAsync();
            folder.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _scheduler.DisposeAsync();
        _folder.Dispose();
    }
}
