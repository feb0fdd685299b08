using VoxScheduler.Execution;
using VoxScheduler.Hosting;
using VoxScheduler.Operations.Builtins;
using VoxScheduler.Scheduling;

namespace VoxScheduler.Tests.Scheduling;

/// <summary>
/// A host that goes away ends its running executions Interrupted with why (issue 16: a cluster
/// silo stopping), not Cancelled: in the execution, its goals and the store's history. A cancel
/// asked for before stays a cancel, and finished executions are left alone.
/// </summary>
public sealed class InterruptTests : IDisposable
{
    private const string Reason = "the host is stopping; submit it again to resume";

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("vox-interrupt-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public async Task InterruptAll_ends_running_executions_interrupted_with_the_reason_in_goals_and_history()
    {
        await using var scheduler = new DynamicScheduler(BuiltinOperations.CreateRegistry());
        var integration = new VoxLogicaIntegration(scheduler);
        var config = new ExecutionConfig { StorageBackend = "sqlite", StoragePath = _folder.FullName };
        var done = await integration.SubmitProgramAsync("print \"done\" 6 * 7", config: config);
        Assert.Equal(ExecutionStatus.Completed, await done.Completion.WaitAsync(TimeSpan.FromSeconds(60)));
        var running = await integration.SubmitProgramAsync("import \"test\"\nprint \"quick\" 1 + 1\nprint \"slow\" sleep(1, 300000)", config: config);
        var cancelled = await integration.SubmitProgramAsync("import \"test\"\nprint \"slow\" sleep(2, 300000)", config: config);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (running.GetProgress().RunningNodes < 1 || cancelled.GetProgress().RunningNodes < 1)
        {
            Assert.True(DateTime.UtcNow < deadline, "the sleeps never started");
            await Task.Delay(20);
        }

        cancelled.Cancel(); // asked for before the host went away: stays a cancel
        var interrupted = await scheduler.InterruptAllAsync(Reason).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Contains(interrupted, x => x.ExecutionId == running.ExecutionId);
        Assert.DoesNotContain(interrupted, x => x.ExecutionId == done.ExecutionId);
        Assert.Equal(ExecutionStatus.Interrupted, running.Status);
        Assert.Equal(ExecutionStatus.Cancelled, cancelled.Status);
        Assert.Equal(ExecutionStatus.Completed, done.Status);
        var goals = running.GetGoalResults().ToDictionary(g => g.Name);
        Assert.Equal(NodeStatus.Completed, goals["quick"].Status);
        Assert.Equal(NodeStatus.Interrupted, goals["slow"].Status);
        Assert.Equal(Reason, goals["slow"].Error);

        var store = await scheduler.GetStoreAsync("sqlite", _folder.FullName);
        var record = await store.GetExecutionAsync(running.ExecutionId);
        Assert.Equal("Interrupted", record!.Status);
        Assert.Equal(Reason, record.Error);
        Assert.NotNull(record.CompletedAt);
        Assert.Equal("Cancelled", (await store.GetExecutionAsync(cancelled.ExecutionId))!.Status);
        Assert.Equal("Completed", (await store.GetExecutionAsync(done.ExecutionId))!.Status);
    }
}
