using System.Net;

namespace VoxScheduler.Tests;

/// <summary>
/// Issue 14 item 16 over HTTP: memory_usage_bytes on goals, events and progress; completed_nodes
/// counts every node done, with computed_nodes and cached_nodes beside it, live and in the history.
/// </summary>
[Collection("Server")]
public sealed class ResultMetadataTests(ServerFixture fixture)
{
    private HttpClient Client => fixture.Host.Client;

    [Fact]
    public async Task A_rerun_served_from_the_store_completes_every_node_and_computes_none()
    {
        var path = "metadata-" + Guid.NewGuid().ToString("n")[..8];
        // Computing a 3001-character text allocates at least its 6 KB of UTF-16.
        var program = $"print \"s\" \"{new string('v', 3000)}\" + \"w\"";
        var first = await Client.RunAsync(program, path);
        var goal = first.GetProperty("result").GetProperty("goals")[0];
        Assert.True(goal.GetProperty("memory_usage_bytes").GetInt64() >= 6000, goal.GetRawText());
        var progress = first.GetProperty("result").GetProperty("progress");
        Assert.True(progress.GetProperty("memory_usage_bytes").GetInt64() >= goal.GetProperty("memory_usage_bytes").GetInt64());
        Assert.True(progress.GetProperty("computed_nodes").GetInt32() >= 1);
        Assert.Equal(progress.GetProperty("total_nodes").GetInt32(), progress.GetProperty("completed_nodes").GetInt32());

        var second = await Client.RunAsync(program, path);
        var again = second.GetProperty("result").GetProperty("progress");
        Assert.Equal("cached", second.GetProperty("result").GetProperty("goals")[0].GetProperty("status").GetString());
        Assert.Equal(0, second.GetProperty("result").GetProperty("goals")[0].GetProperty("memory_usage_bytes").GetInt64());
        Assert.Equal(again.GetProperty("total_nodes").GetInt32(), again.GetProperty("completed_nodes").GetInt32()); // before: 0 at 100%
        Assert.Equal(0, again.GetProperty("computed_nodes").GetInt32());
        Assert.Equal(again.GetProperty("completed_nodes").GetInt32(), again.GetProperty("cached_nodes").GetInt32());

        var id = second.GetProperty("execution_id").GetString()!;
        var record = (await Client.GetJsonAsync($"api/v1/history/{id}?storage_path={path}")).GetProperty("execution");
        Assert.Equal(record.GetProperty("total_nodes").GetInt32(), record.GetProperty("completed_nodes").GetInt32());
        Assert.Equal(0, record.GetProperty("computed_nodes").GetInt32());
    }

    [Fact]
    public async Task The_history_record_keeps_the_bytes_the_run_allocated()
    {
        var path = "metadata-history-" + Guid.NewGuid().ToString("n")[..8];
        var program = $"print \"s\" \"{new string('h', 3000)}\" + \"w\"";
        var first = await Client.RunAsync(program, path);
        var allocated = first.GetProperty("result").GetProperty("progress").GetProperty("memory_usage_bytes").GetInt64();
        Assert.True(allocated >= 6000, first.GetRawText());
        var id = first.GetProperty("execution_id").GetString()!;

        var record = (await Client.GetJsonAsync($"api/v1/history/{id}?storage_path={path}")).GetProperty("execution");
        Assert.Equal(allocated, record.GetProperty("memory_usage_bytes").GetInt64());
        var listed = (await Client.GetJsonAsync($"api/v1/history?storage_path={path}")).GetProperty("executions").EnumerateArray()
            .Single(e => e.GetProperty("execution_id").GetString() == id);
        Assert.Equal(allocated, listed.GetProperty("memory_usage_bytes").GetInt64());

        // A rerun served from the store computes nothing, so allocates nothing.
        var second = await Client.RunAsync(program, path);
        var again = (await Client.GetJsonAsync($"api/v1/history/{second.GetProperty("execution_id").GetString()}?storage_path={path}")).GetProperty("execution");
        Assert.Equal(0, again.GetProperty("memory_usage_bytes").GetInt64());
    }

    [Fact]
    public async Task Node_finished_events_carry_the_bytes_their_computation_allocated()
    {
        var key = Guid.NewGuid().ToString("n");
        // The sleep upstream gives the event subscription time to start before the text is computed.
        var id = await Client.SubmitAsync($"import \"test\"\nprint \"s\" test.sleep(\"{key}{new string('v', 3000)}\", 500) + \"w\"", "metadata-events");
        var events = await Client.ReadEventsAsync(id);
        var concat = Assert.Single(events, e => e.Event == "node-finished" && e.Json.GetProperty("operator").GetString() == "default.add");
        Assert.True(concat.Json.GetProperty("memory_usage_bytes").GetInt64() >= 6000, concat.Data);
        var goal = Assert.Single(events, e => e.Event == "goal-finished").Json.GetProperty("goal");
        Assert.True(goal.GetProperty("memory_usage_bytes").GetInt64() >= 6000, goal.GetRawText());
    }
}
