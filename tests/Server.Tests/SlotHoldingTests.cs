using System.Net;

namespace VoxScheduler.Tests;

/// <summary>No client holds slots for ever or all of them (issue 14, item 5).</summary>
public sealed class SlotHoldingTests
{
    private static int _serial;

    /// <summary>A distinct long sleep each time (identical programs would share their node).</summary>
    private static string Long => $"import \"test\"\nprint \"s\" sleep({Interlocked.Increment(ref _serial)}, 600000)";

    [Fact]
    public async Task An_execution_past_the_wall_clock_limit_is_cancelled()
    {
        await using var host = await ServerHost.StartAsync(o => o.MaxExecutionSeconds = 1);
        var id = await host.Client.SubmitAsync(Long);
        var end = await host.Client.WaitForEndAsync(id);
        Assert.Equal("cancelled", end.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_request_may_ask_for_a_lower_limit_but_not_a_higher_one()
    {
        await using var host = await ServerHost.StartAsync(o => o.MaxExecutionSeconds = 600);
        using (var response = await host.Client.PostExecutionAsync(new { program = Long, timeout_seconds = 0.5, async_execution = false, storage_backend = "none" }))
        {
            var answer = await Api.JsonAsync(response, HttpStatusCode.OK);
            Assert.Equal("cancelled", answer.GetProperty("status").GetString());
        }

        using var tooLong = await host.Client.PostExecutionAsync(new { program = Long, timeout_seconds = 601 });
        var problem = await Api.ProblemAsync(tooLong, HttpStatusCode.BadRequest);
        Assert.Equal("$.timeout_seconds", problem.GetProperty("errors")[0].GetProperty("path").GetString());
    }

    [Fact]
    public async Task One_client_cannot_hold_more_than_its_share()
    {
        await using var host = await ServerHost.StartAsync(o => o.MaxConcurrentExecutionsPerClient = 2);
        var first = await host.Client.SubmitAsync(Long);
        var second = await host.Client.SubmitAsync(Long);
        using (var third = await host.Client.PostExecutionAsync(new { program = Long, async_execution = true }))
        {
            var problem = await Api.ProblemAsync(third, HttpStatusCode.TooManyRequests);
            Assert.Contains("A client may run at most 2", problem.GetProperty("detail").GetString());
        }

        // The server as a whole still has room: the cap is the client's, not everyone's.
        var health = await host.Client.GetJsonAsync("health");
        Assert.True(health.GetProperty("max_concurrent_executions").GetInt32() > 2);

        using (var cancel = await host.Client.DeleteAsync($"api/v1/execution/{first}"))
        {
            Assert.True(cancel.IsSuccessStatusCode);
        }

        await host.Client.WaitForEndAsync(first);
        var again = await host.Client.SubmitAsync(Long);
        foreach (var id in new[] { second, again })
        {
            using var c = await host.Client.DeleteAsync($"api/v1/execution/{id}");
        }
    }
}
