using VoxScheduler.Hosting;
using VoxScheduler.Language;
using VoxScheduler.Operations.Builtins;
using VoxScheduler.Scheduling;

namespace VoxScheduler.Tests.Language;

public sealed class VoxLogicaIntegrationTests
{
    private static ExecutionConfig Memory => new() { StorageBackend = "none" };

    [Fact]
    public async Task Execute_program_runs_text_and_reports_goals_in_source_order()
    {
        await using var scheduler = new DynamicScheduler(BuiltinOperations.CreateRegistry());
        var integration = new VoxLogicaIntegration(scheduler);
        var result = await integration.ExecuteProgramAsync("b = 2\nprint \"second\" b * 3\nprint \"first\" b + 1", config: Memory);
        Assert.Equal(ExecutionStatus.Completed, result.Status);
        Assert.Equal(["second", "first"], result.Goals.Select(g => g.Name));
        Assert.Equal([6d, 3d], result.Goals.Select(g => g.Value));
    }

    [Fact]
    public async Task Submit_program_returns_the_execution_at_once()
    {
        await using var scheduler = new DynamicScheduler(BuiltinOperations.CreateRegistry());
        var integration = new VoxLogicaIntegration(scheduler);
        var execution = await integration.SubmitProgramAsync("import \"test\"\nprint \"slow\" sleep(1, 200)", config: Memory,
            options: new SubmitOptions { Name = "integration-submit" });
        Assert.Equal("integration-submit", execution.Name);
        Assert.Equal(ExecutionStatus.Completed, await execution.Completion.WaitAsync(TimeSpan.FromMinutes(1)));
        Assert.Equal(1d, execution.GetGoalResults().Single().Value);
    }

    [Fact]
    public async Task Invalid_programs_are_rejected_before_anything_runs()
    {
        await using var scheduler = new DynamicScheduler(BuiltinOperations.CreateRegistry());
        var integration = new VoxLogicaIntegration(scheduler);
        var e = await Assert.ThrowsAsync<ValidationException>(() => integration.ExecuteProgramAsync("print \"x\" nothing", config: Memory));
        Assert.Equal((1, 11), (e.Problems[0].Line, e.Problems[0].Column));
        Assert.Empty(scheduler.ListExecutions());
    }

    [Fact]
    public async Task Saves_resolve_against_the_compile_working_directory()
    {
        var work = Directory.CreateTempSubdirectory("vox-int-").FullName;
        try
        {
            await using var scheduler = new DynamicScheduler(BuiltinOperations.CreateRegistry());
            var integration = new VoxLogicaIntegration(scheduler);
            var result = await integration.ExecuteProgramAsync("save \"deep/x.txt\" 1 / 4", new CompileOptions { WorkingDirectory = work }, Memory);
            Assert.Equal(ExecutionStatus.Completed, result.Status);
            Assert.Equal("0.25", await File.ReadAllTextAsync(Path.Combine(work, "deep", "x.txt")));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
