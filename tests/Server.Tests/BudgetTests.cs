using System.Diagnostics;
using System.Net;

namespace VoxScheduler.Tests;

/// <summary>One request must never take the server down: compile and execution budgets over real HTTP (issue 14, item 1).</summary>
public sealed class BudgetTests
{
    [Fact]
    public async Task A_program_past_the_compile_node_budget_is_400_naming_the_budget()
    {
        await using var host = await ServerHost.StartAsync(o => o.MaxCompileNodes = 100_000);
        var clock = Stopwatch.StartNew();
        using var response = await host.Client.PostExecutionAsync(new
        {
            program = "print \"n\" length(for i in range(0,1000) do for j in range(0,1000) do i * j)",
            storage_backend = "none",
        });
        var problem = await Api.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("urn:voxscheduler:problem:budget-exceeded:max_compile_nodes", problem.GetProperty("type").GetString());
        Assert.Contains("max_compile_nodes = 100000", problem.GetProperty("detail").GetString());
        Assert.Equal("max_compile_nodes", problem.GetProperty("budget").GetString());
        Assert.Equal(100_000, problem.GetProperty("limit").GetInt64());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"refusing took {clock.Elapsed}");

        var ok = await host.Client.RunAsync("print \"a\" 1", backend: "none");
        Assert.Equal("completed", ok.GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_exponential_program_stops_at_the_compile_deadline()
    {
        await using var host = await ServerHost.StartAsync(o => o.CompileTimeoutSeconds = 0.5);
        var program = "let f0(x) = x + 1\n" + string.Concat(Enumerable.Range(1, 26).Select(k => $"let f{k}(x) = f{k - 1}(x * 2) + f{k - 1}(x * 2 + 1)\n")) + "print \"r\" f26(1)";
        using var response = await host.Client.PostExecutionAsync(new { program, storage_backend = "none" });
        var problem = await Api.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("urn:voxscheduler:problem:budget-exceeded:compile_timeout_seconds", problem.GetProperty("type").GetString());
        Assert.Contains("compile_timeout_seconds", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Run_time_expansion_past_the_execution_budget_fails_the_execution()
    {
        await using var host = await ServerHost.StartAsync(o => o.MaxExecutionNodes = 2_000);
        var answer = await host.Client.RunAsync("n = length([1, 2])\nprint \"s\" fold + (for i in range(0, n * 5000) do i * 2)", backend: "none");
        Assert.Equal("failed", answer.GetProperty("status").GetString());
        Assert.Contains("max_execution_nodes = 2000", answer.ToString());
    }
}
