using System.Net;
using System.Net.Http.Json;

namespace VoxScheduler.Tests;

[Collection("Server")]
public sealed class CancellationTests(ServerFixture fixture)
{
    private HttpClient Client => fixture.Host.Client;

    [Fact]
    public async Task Delete_cancels_a_running_execution_and_progress_shows_cancelled()
    {
        var id = await Client.SubmitAsync("import \"test\"\nprint \"slow\" sleep(1, 60000)\nprint \"after\" sleep(2, 60000) + 1", storagePath: "cancel");
        await WaitUntilRunningAsync(id);

        using var response = await Client.DeleteAsync($"api/v1/execution/{id}");
        var answer = await Api.JsonAsync(response, HttpStatusCode.OK);
        Assert.Equal("cancelled", answer.GetProperty("status").GetString());
        Assert.Equal(id, answer.GetProperty("execution_id").GetString());

        var progress = await Client.GetJsonAsync($"api/v1/execution/{id}/progress");
        Assert.Equal("cancelled", progress.GetProperty("status").GetString());
        Assert.Equal(100, progress.GetProperty("progress_percentage").GetDouble());
        Assert.Equal(0, progress.GetProperty("running_nodes").GetInt32());

        var results = await Client.GetJsonAsync($"api/v1/execution/{id}/results");
        Assert.Equal("cancelled", results.GetProperty("status").GetString());
        Assert.All(results.GetProperty("goals").EnumerateArray(), g =>
        {
            Assert.Equal("cancelled", g.GetProperty("status").GetString());
            Assert.Equal(System.Text.Json.JsonValueKind.Null, g.GetProperty("value").ValueKind);
        });

        var events = await Client.ReadEventsAsync(id);
        Assert.Equal("cancelled", events[^1].Json.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Delete_right_after_submit_is_reported_as_cancelled()
    {
        // Each cancel lands somewhere in the execution's start (store opening, pruning, first node):
        // wherever it lands, the execution ends cancelled, not failed.
        for (var i = 0; i < 5; i++)
        {
            var id = await Client.SubmitAsync($"import \"test\"\nprint \"slow\" sleep({10 + i}, 60000)", storagePath: $"cancel-early-{i}");
            using var response = await Client.DeleteAsync($"api/v1/execution/{id}");
            var answer = await Api.JsonAsync(response, HttpStatusCode.OK);
            Assert.Equal("cancelled", answer.GetProperty("status").GetString());
            Assert.Equal("cancelled", (await Client.GetJsonAsync($"api/v1/execution/{id}/progress")).GetProperty("status").GetString());
        }
    }

    [Fact]
    public async Task A_synchronous_request_whose_client_goes_away_is_cancelled()
    {
        var name = "abandoned-" + Guid.NewGuid().ToString("n")[..8];
        using var abandon = new CancellationTokenSource();
        using var client = fixture.Host.NewClient();
        var request = client.PostAsJsonAsync(Api.Execute,
            new { program = "import \"test\"\nprint \"slow\" sleep(4, 600000)", storage_path = "abandoned", name }, abandon.Token);

        var deadline = DateTime.UtcNow + Api.Patience;
        while (true)
        {
            using var probe = await Client.GetAsync($"api/v1/execution/{name}/progress");
            if (probe.StatusCode == HttpStatusCode.OK
                && (await Api.JsonAsync(probe, HttpStatusCode.OK)).GetProperty("running_nodes").GetInt32() > 0)
                break;
            Assert.True(DateTime.UtcNow < deadline, "the synchronous execution starts running");
            await Task.Delay(10);
        }

        abandon.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request);
        var progress = await Client.WaitForEndAsync(name);
        Assert.Equal("cancelled", progress.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Deleting_an_ended_execution_is_a_conflict_and_an_unknown_one_is_404()
    {
        var id = (await Client.RunAsync("print \"done\" 1", storagePath: "cancel-ended")).GetProperty("execution_id").GetString();
        using var ended = await Client.DeleteAsync($"api/v1/execution/{id}");
        var problem = await Api.ProblemAsync(ended, HttpStatusCode.Conflict);
        Assert.Contains("completed", problem.GetProperty("detail").GetString());

        using var unknown = await Client.DeleteAsync("api/v1/execution/does-not-exist");
        await Api.ProblemAsync(unknown, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_second_delete_after_a_cancel_is_a_conflict()
    {
        var id = await Client.SubmitAsync("import \"test\"\nprint \"slow\" sleep(3, 60000)", storagePath: "cancel-twice");
        await WaitUntilRunningAsync(id);
        using (var first = await Client.DeleteAsync($"api/v1/execution/{id}"))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        using var second = await Client.DeleteAsync($"api/v1/execution/{id}");
        await Api.ProblemAsync(second, HttpStatusCode.Conflict);
    }

    /// <summary>Polls the progress, as a client would, until a node runs (so the cancel meets a running execution).</summary>
    private async Task WaitUntilRunningAsync(string id)
    {
        var deadline = DateTime.UtcNow + Api.Patience;
        while ((await Client.GetJsonAsync($"api/v1/execution/{id}/progress")).GetProperty("running_nodes").GetInt32() == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "a node starts running");
            await Task.Delay(10);
        }
    }
}
