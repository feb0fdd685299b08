using System.Net;

namespace VoxScheduler.Tests;

[Collection("Server")]
public sealed class EventStreamTests(ServerFixture fixture)
{
    private HttpClient Client => fixture.Host.Client;

    [Fact]
    public async Task Events_stream_node_completions_and_goals_and_end_with_execution_finished()
    {
        var id = await Client.SubmitAsync("import \"test\"\na = sleep(2, 200)\nprint \"first\" a + 1\nprint \"second\" a * 10", storagePath: "sse");
        var events = await Client.ReadEventsAsync(id);

        Assert.Equal("execution-finished", events[^1].Event);
        Assert.Single(events, e => e.Event == "execution-finished");
        var finished = events[^1].Json;
        Assert.Equal("completed", finished.GetProperty("status").GetString());
        Assert.Equal(100, finished.GetProperty("progress").GetProperty("progress_percentage").GetDouble());

        var goals = events.Where(e => e.Event == "goal-finished").Select(e => e.Json.GetProperty("goal")).ToList();
        Assert.Equal(2, goals.Count);
        var byName = goals.ToDictionary(g => g.GetProperty("name").GetString()!);
        Assert.Equal(3, byName["first"].GetProperty("value").GetDouble());
        Assert.Equal(20, byName["second"].GetProperty("value").GetDouble());

        Assert.Contains(events, e => e.Event == "node-finished" && e.Json.GetProperty("node_status").GetString() == "completed");
        Assert.All(events, e => Assert.Equal(id, e.Json.GetProperty("execution_id").GetString()));
        var ids = events.Select(e => int.Parse(e.Id!)).ToList();
        Assert.Equal(Enumerable.Range(1, ids.Count), ids);
    }

    [Fact]
    public async Task Events_of_an_ended_execution_replay_its_goals_and_the_end()
    {
        var answer = await Client.RunAsync("print \"x\" 4\nprint \"y\" 5", storagePath: "sse-replay");
        var id = answer.GetProperty("execution_id").GetString()!;
        var events = await Client.ReadEventsAsync(id);
        Assert.Equal(["x", "y"], events.Where(e => e.Event == "goal-finished")
            .Select(e => e.Json.GetProperty("goal").GetProperty("name").GetString()).Order());
        Assert.Equal("execution-finished", events[^1].Event);
    }

    [Fact]
    public async Task Retries_are_streamed_and_max_retries_is_honoured()
    {
        var key = Guid.NewGuid().ToString("n");
        using var retried = await Client.PostExecutionAsync(new
        {
            // The sleep upstream gives the event subscription below time to start before the retry happens.
            program = $"import \"test\"\nprint \"f\" flaky(sleep(7, 1000), 1, \"{key}\")", storage_path = "retries", async_execution = true, max_retries = 2,
        });
        var id = (await Api.JsonAsync(retried, HttpStatusCode.Accepted)).GetProperty("execution_id").GetString()!;
        var events = await Client.ReadEventsAsync(id);
        var retry = Assert.Single(events, e => e.Event == "node-retrying");
        Assert.Equal(1, retry.Json.GetProperty("attempt").GetInt32());
        var goal = Assert.Single(events, e => e.Event == "goal-finished").Json.GetProperty("goal");
        Assert.Equal(7, goal.GetProperty("value").GetDouble());

        var noRetryKey = Guid.NewGuid().ToString("n");
        using var notRetried = await Client.PostExecutionAsync(new
        {
            program = $"import \"test\"\nprint \"f\" flaky(7, 1, \"{noRetryKey}\")", storage_path = "retries", max_retries = 0,
        });
        var answer = await Api.JsonAsync(notRetried, HttpStatusCode.OK);
        Assert.Equal("failed", answer.GetProperty("status").GetString());
        Assert.Equal("failed", answer.GetProperty("result").GetProperty("goals")[0].GetProperty("status").GetString());
    }

    [Fact]
    public async Task Events_of_an_unknown_execution_are_404()
    {
        using var response = await Client.GetAsync("api/v1/execution/no-such-execution/events");
        await Api.ProblemAsync(response, HttpStatusCode.NotFound);
    }
}
