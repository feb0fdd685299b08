using System.Diagnostics;
using System.Text;
using VoxScheduler.Hosting;
using VoxScheduler.Language;
using VoxScheduler.Operations.Builtins;
using VoxScheduler.Scheduling;

namespace VoxScheduler.Tests.Language;

/// <summary>Compilation and run-time expansion stop at their budgets (issue 14, item 1).</summary>
public sealed class CompileBudgetTests
{
    /// <summary>93 characters that reduce to about two million nodes.</summary>
    private const string NestedRanges = "print \"n\" length(for i in range(0,1000) do for j in range(0,1000) do i * j)";

    /// <summary>Each of <paramref name="levels"/> functions calls the one below twice with new arguments: 2^levels applications.</summary>
    private static string Exponential(int levels)
    {
        var text = new StringBuilder("let f0(x) = x + 1\n");
        for (var k = 1; k <= levels; k++) text.Append($"let f{k}(x) = f{k - 1}(x * 2) + f{k - 1}(x * 2 + 1)\n");
        return text.Append($"print \"r\" f{levels}(1)\n").ToString();
    }

    [Fact]
    public void Nested_ranges_stop_at_the_node_budget_naming_it()
    {
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<BudgetExceededException>(() =>
            ProgramCompiler.Compile(NestedRanges, BuiltinOperations.CreateRegistry(), new CompileOptions { MaxNodes = 50_000 }));
        Assert.Equal(BudgetExceededException.CompileNodes, e.Budget);
        Assert.Equal(50_000, e.Limit);
        Assert.Equal("CompileNodeBudget", e.Problems.Single().Code);
        Assert.Contains("max_compile_nodes = 50000", e.Message);
        Assert.Equal(1, e.Problems[0].Line);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"stopping took {clock.Elapsed}");
    }

    [Fact]
    public void The_default_node_budget_is_a_few_million()
    {
        Assert.InRange(new CompileOptions().MaxNodes, 1_000_000, 10_000_000);
        Assert.NotNull(new CompileOptions().Timeout);

        // Under the budget the same program compiles.
        var dag = ProgramCompiler.Compile("print \"n\" length(for i in range(0,10) do for j in range(0,10) do i * j)",
            BuiltinOperations.CreateRegistry(), new CompileOptions { MaxNodes = 50_000 }).Dag;
        Assert.InRange(dag.Nodes.Count, 100, 50_000);
    }

    [Fact]
    public void Exponential_reduction_stops_at_the_deadline()
    {
        var options = new CompileOptions { MaxNodes = int.MaxValue, Timeout = TimeSpan.FromMilliseconds(300) };
        var e = Assert.Throws<BudgetExceededException>(() => ProgramCompiler.Compile(Exponential(26), BuiltinOperations.CreateRegistry(), options));
        Assert.Equal(BudgetExceededException.CompileTime, e.Budget);
        Assert.Equal("CompileTimeBudget", e.Problems.Single().Code);
        Assert.Contains("compile_timeout_seconds", e.Message);
    }

    [Fact]
    public void Exponential_reduction_stops_at_the_node_budget()
    {
        var e = Assert.Throws<BudgetExceededException>(() =>
            ProgramCompiler.Compile(Exponential(26), BuiltinOperations.CreateRegistry(), new CompileOptions { MaxNodes = 100_000, Timeout = null }));
        Assert.Equal(BudgetExceededException.CompileNodes, e.Budget);
    }

    [Fact]
    public async Task Cancelling_the_token_stops_a_compilation()
    {
        using var cts = new CancellationTokenSource();
        var options = new CompileOptions { MaxNodes = int.MaxValue, Timeout = null };
        var compile = Task.Run(() => ProgramCompiler.Compile(Exponential(30), BuiltinOperations.CreateRegistry(), options, cts.Token));
        await Task.Delay(200);
        Assert.False(compile.IsCompleted);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => compile.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Run_time_expansion_counts_against_the_execution_node_budget()
    {
        await using var scheduler = new DynamicScheduler(BuiltinOperations.CreateRegistry());
        var integration = new VoxLogicaIntegration(scheduler);
        // n is only known at run time, so the loop is one for_each node that expands when it runs.
        const string program = "n = length([1, 2])\nprint \"s\" fold + (for i in range(0, n * 5000) do i * 2)";
        var config = new ExecutionConfig { StorageBackend = "none", MaxNodes = 2_000 };
        var result = await integration.ExecuteProgramAsync(program, config: config);
        Assert.Equal(ExecutionStatus.Failed, result.Status);
        var error = result.Goals.Single().Error;
        Assert.NotNull(error);
        Assert.Contains("max_execution_nodes = 2000", error);

        // With room the same program runs.
        var ok = await integration.ExecuteProgramAsync(program, config: config with { MaxNodes = 1_000_000 });
        Assert.Equal(ExecutionStatus.Completed, ok.Status);
        Assert.Equal(2d * (9_999d * 10_000d / 2), ok.Goals.Single().Value);
    }

    [Fact]
    public void Range_is_bounded_to_what_a_server_can_hold()
    {
        Assert.True(DefaultNamespace.MaxRangeLength <= 10_000_000, $"MaxRangeLength is {DefaultNamespace.MaxRangeLength}");
    }

    [Fact]
    public async Task A_dag_larger_than_the_execution_budget_is_refused_at_submission()
    {
        await using var scheduler = new DynamicScheduler(BuiltinOperations.CreateRegistry());
        var dag = ProgramCompiler.Compile("print \"n\" length(for i in range(0,10) do i * 3)", scheduler.Operations).Dag;
        var e = await Assert.ThrowsAsync<BudgetExceededException>(async () =>
            await scheduler.SubmitAsync(dag, new ExecutionConfig { StorageBackend = "none", MaxNodes = 5 }));
        Assert.Equal(BudgetExceededException.ExecutionNodes, e.Budget);
        Assert.Empty(scheduler.ListExecutions());
    }
}
