using VoxScheduler.Hosting;
using VoxScheduler.Operations.Builtins;
using VoxScheduler.Scheduling;

namespace VoxScheduler.Tests.Scheduling;

/// <summary>Finished executions are kept within a byte budget as well as a count (issue 14, item 2).</summary>
public sealed class RetentionTests
{
    [Fact]
    public async Task FinishedExecutionsPastTheByteBudgetAreForgottenOldestFirst()
    {
        // Each run: a DAG of about 300 nodes (about 77 KB by the estimate) and a string goal of about 90,000 characters.
        var options = new SchedulerOptions { RetainFinishedExecutions = 100, RetainFinishedBytes = 400_000 };
        await using var scheduler = new DynamicScheduler(BuiltinOperations.CreateRegistry(), options);
        var integration = new VoxLogicaIntegration(scheduler);
        var ids = new List<string>();
        for (var run = 0; run < 6; run++)
        {
            var program = $"n = length([1])\nprint \"big\" strings.join(range({run}, n * 20000), \"\")\nprint \"n\" length(for i in range(0, 100) do i * {run + 2})";
            var result = await integration.ExecuteProgramAsync(program, config: new ExecutionConfig { StorageBackend = "none" });
            Assert.Equal(ExecutionStatus.Completed, result.Status);
            ids.Add(result.ExecutionId);
        }

        var kept = ids.Where(id => scheduler.Find(id) is not null).ToList();
        Assert.NotEmpty(kept);
        Assert.True(kept.Count < ids.Count, $"all {ids.Count} runs kept");
        Assert.Equal(ids[^kept.Count..], kept); // the newest ones, oldest forgotten first
        Assert.True(kept.Sum(id => DynamicScheduler.RetainedBytes(scheduler.Find(id)!)) <= 400_000 || kept.Count == 1);

        // Without a byte budget the count alone bounds them, as before.
        await using var unbounded = new DynamicScheduler(BuiltinOperations.CreateRegistry(), new SchedulerOptions { RetainFinishedExecutions = 100 });
        var integration2 = new VoxLogicaIntegration(unbounded);
        for (var run = 0; run < 3; run++)
            await integration2.ExecuteProgramAsync($"n = length([1])\nprint \"big\" strings.join(range({run}, n * 20000), \"\")", config: new ExecutionConfig { StorageBackend = "none" });
        Assert.Equal(3, unbounded.ListExecutions().Count);
    }
}
