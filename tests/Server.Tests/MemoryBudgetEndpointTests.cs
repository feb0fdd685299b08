using System.Net;

namespace VoxScheduler.Tests;

/// <summary>The memory budget for live values over REST (#15 item 5): a request field, a server default, measured live bytes in the progress.</summary>
public sealed class MemoryBudgetEndpointTests
{
    [Fact]
    public async Task The_budget_comes_from_the_request_or_the_server_and_the_progress_reports_live_bytes()
    {
        await using var host = await ServerHost.StartAsync(null, "--memory-budget", "4096");
        var serial = Guid.NewGuid().GetHashCode() & 0xFFFF;
        // x is a live value while its two consumers have not both run.
        var program = $"import \"test\"\nx = sleep({serial}, 1)\nprint \"a\" x + 1\nprint \"b\" x + 2";

        using (var response = await host.Client.PostExecutionAsync(new { program, storage_backend = "none", memory_budget = 1_000_000 }))
        {
            var progress = (await Api.JsonAsync(response, HttpStatusCode.OK)).GetProperty("result").GetProperty("progress");
            Assert.Equal(1_000_000, progress.GetProperty("memory_budget").GetInt64());
            Assert.True(progress.GetProperty("peak_live_bytes").GetInt64() >= 8);
            Assert.Equal(0, progress.GetProperty("live_bytes").GetInt64());
        }

        using (var response = await host.Client.PostExecutionAsync(new { program = program + "\nprint \"c\" x + 3", storage_backend = "none" }))
        {
            var answer = await Api.JsonAsync(response, HttpStatusCode.OK);
            Assert.Equal(4096, answer.GetProperty("result").GetProperty("progress").GetProperty("memory_budget").GetInt64());
            var id = answer.GetProperty("execution_id").GetString();
            var progress = await host.Client.GetJsonAsync($"api/v1/execution/{id}/progress");
            Assert.Equal(4096, progress.GetProperty("memory_budget").GetInt64());
        }

        using var negative = await host.Client.PostExecutionAsync(new { program, memory_budget = -1 });
        var problem = await Api.ProblemAsync(negative, HttpStatusCode.BadRequest);
        Assert.Equal("$.memory_budget", problem.GetProperty("errors")[0].GetProperty("path").GetString());
    }
}
