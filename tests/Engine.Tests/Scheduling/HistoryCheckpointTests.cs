using System.Text;
using VoxScheduler.Hosting;
using VoxScheduler.Language;
using VoxScheduler.Operations.Builtins;
using VoxScheduler.Scheduling;
using VoxScheduler.Storage;

namespace VoxScheduler.Tests.Scheduling;

/// <summary>
/// The history record of a running execution carries its counts as it goes (issue 14, item 12),
/// so a process killed mid-run leaves "473 of 803 done", not zeros.
/// </summary>
public sealed class HistoryCheckpointTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("vox-checkpoint-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public async Task The_running_record_counts_finished_nodes_before_the_end()
    {
        await using var scheduler = new DynamicScheduler(BuiltinOperations.CreateRegistry(), new SchedulerOptions { ProgressInterval = TimeSpan.FromMilliseconds(20) });
        var integration = new VoxLogicaIntegration(scheduler);
        var program = new StringBuilder("import \"test\"\nx0 = sleep(0, 30)\n");
        for (var i = 1; i < 200; i++) program.Append($"x{i} = sleep(x{i - 1} + 1, 30)\n");
        program.Append("print \"last\" x199\n");
        var config = new ExecutionConfig { StorageBackend = "sqlite", StoragePath = _folder.FullName, MaxConcurrentNodes = 1 };
        var execution = await integration.SubmitProgramAsync(program.ToString(), config: config);
        var store = await scheduler.GetStoreAsync("sqlite", _folder.FullName);

        ExecutionRecord? seen = null;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline && !execution.Completion.IsCompleted)
        {
            var record = await store.GetExecutionAsync(execution.ExecutionId);
            if (record is { Status: "Running", CompletedNodes: > 0 })
            {
                seen = record;
                break;
            }

            await Task.WhenAny(execution.Completion, Task.Delay(50)); // polls the store: the record is what is under test
        }

        execution.Cancel();
        await execution.Completion.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.NotNull(seen);
        Assert.True(seen.TotalNodes > seen.CompletedNodes, $"{seen.CompletedNodes} of {seen.TotalNodes}");

        // The final record is not overwritten by a late checkpoint.
        var final = await store.GetExecutionAsync(execution.ExecutionId);
        Assert.Equal("Cancelled", final!.Status);
    }
}
