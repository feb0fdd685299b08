using System.Net;
using System.Text;
using System.Text.Json;

namespace VoxScheduler.Tests;

[Collection("Server")]
public sealed class EndpointTests(ServerFixture fixture)
{
    private ServerHost Host => fixture.Host;

    private HttpClient Client => fixture.Host.Client;

    [Fact]
    public async Task Health_reports_ok_version_and_limits()
    {
        var health = await Client.GetJsonAsync("health");
        Assert.Equal("ok", health.GetProperty("status").GetString());
        Assert.False(string.IsNullOrEmpty(health.GetProperty("version").GetString()));
        Assert.Equal(128, health.GetProperty("max_concurrent_executions").GetInt32());
        Assert.True(health.GetProperty("operations").GetInt32() > 10);
        Assert.False(health.GetProperty("api_key_required").GetBoolean());
        Assert.True(health.GetProperty("uptime_seconds").GetDouble() >= 0);
    }

    [Fact]
    public async Task Open_API_document_describes_every_route()
    {
        var doc = await Client.GetJsonAsync("openapi/v1.json");
        Assert.StartsWith("3.", doc.GetProperty("openapi").GetString());
        var paths = doc.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/v1/execute-dynamic", paths);
        Assert.Contains("/api/v1/execution/{id}/progress", paths);
        Assert.Contains("/api/v1/execution/{id}", paths);
        Assert.Contains("/api/v1/executions", paths);
        Assert.Contains("/api/v1/execution/{id}/results", paths);
        Assert.Contains("/api/v1/execution/{id}/results/{goal}/content", paths);
        Assert.Contains("/api/v1/execution/{id}/events", paths);
        Assert.Contains("/api/v1/operations", paths);
        Assert.Contains("/health", paths);
        var schemaText = doc.GetRawText();
        Assert.Contains("\"max_concurrent_nodes\"", schemaText);
        Assert.Contains("\"progress_percentage\"", schemaText);
    }

    [Fact]
    public async Task Operations_list_the_built_in_namespaces_and_filter_by_namespace()
    {
        var all = await Client.GetJsonAsync("api/v1/operations");
        var names = all.GetProperty("operations").EnumerateArray().Select(o => o.GetProperty("name").GetString()).ToList();
        Assert.Contains("default.add", names);
        Assert.Contains("strings.concat", names);
        Assert.Contains("test.sleep", names);
        Assert.Equal(names.Count, all.GetProperty("count").GetInt32());
        Assert.Equal(names.Order(StringComparer.Ordinal).ToList(), names);
        var add = all.GetProperty("operations").EnumerateArray().First(o => o.GetProperty("name").GetString() == "default.add");
        Assert.Equal("default", add.GetProperty("namespace").GetString());
        Assert.Equal("add", add.GetProperty("short_name").GetString());
        Assert.Equal("pure", add.GetProperty("purity").GetString());
        Assert.True(add.GetProperty("revision").GetInt32() >= 1);

        var strings = await Client.GetJsonAsync("api/v1/operations?namespace=strings");
        Assert.All(strings.GetProperty("operations").EnumerateArray(), o => Assert.Equal("strings", o.GetProperty("namespace").GetString()));
        Assert.True(strings.GetProperty("count").GetInt32() > 0);
    }

    [Fact]
    public async Task Synchronous_execution_answers_with_the_goal_results_in_the_specifications_shape()
    {
        var answer = await Client.RunAsync("x = 20\nprint \"answer\" x + 22\nprint \"text\" \"hi\"", storagePath: "sync-shape");
        Assert.Equal("completed", answer.GetProperty("status").GetString());
        var id = answer.GetProperty("execution_id").GetString();
        Assert.False(string.IsNullOrEmpty(id));
        var result = answer.GetProperty("result");
        Assert.Equal(id, result.GetProperty("execution_id").GetString());
        var goals = result.GetProperty("goals").EnumerateArray().ToList();
        Assert.Equal(["answer", "text"], goals.Select(g => g.GetProperty("name").GetString()));
        Assert.Equal(42, goals[0].GetProperty("value").GetDouble());
        Assert.Equal("print", goals[0].GetProperty("kind").GetString());
        Assert.Equal("completed", goals[0].GetProperty("status").GetString());
        Assert.Equal(64, goals[0].GetProperty("node_id").GetString()!.Length);
        Assert.Equal("hi", goals[1].GetProperty("value").GetString());
        var progress = result.GetProperty("progress");
        Assert.Equal(100, progress.GetProperty("progress_percentage").GetDouble());
        Assert.Equal(0, progress.GetProperty("running_nodes").GetInt32());
        Assert.Equal(0, progress.GetProperty("pending_nodes").GetInt32());
        Assert.True(progress.GetProperty("total_nodes").GetInt32() >= 2);
        Assert.True(Directory.Exists(Path.Combine(Host.DataRoot, "sync-shape")), "the store lives under the data root");
    }

    [Fact]
    public async Task Second_run_of_the_same_program_is_served_from_the_shared_store()
    {
        const string program = "print \"v\" (3 * 7) + 100";
        var first = await Client.RunAsync(program, storagePath: "reuse");
        var second = await Client.RunAsync(program, storagePath: "reuse");
        Assert.Equal(121, first.GetProperty("result").GetProperty("goals")[0].GetProperty("value").GetDouble());
        var goal = second.GetProperty("result").GetProperty("goals")[0];
        Assert.Equal(121, goal.GetProperty("value").GetDouble());
        Assert.Equal("cached", goal.GetProperty("status").GetString());
        Assert.True(second.GetProperty("result").GetProperty("progress").GetProperty("cached_nodes").GetInt32() >= 1);
    }

    [Fact]
    public async Task Asynchronous_submit_answers_at_once_then_progress_reaches_100_and_results_have_the_values()
    {
        var id = await Client.SubmitAsync("import \"test\"\nprint \"slow\" sleep(5, 300)\nprint \"fast\" 1 + 1", storagePath: "async");

        var early = await Client.GetJsonAsync($"api/v1/execution/{id}/progress");
        Assert.Equal(id, early.GetProperty("execution_id").GetString());
        foreach (var field in new[] { "dag_id", "total_nodes", "completed_nodes", "failed_nodes", "running_nodes", "pending_nodes",
                     "progress_percentage", "estimated_completion", "cached_nodes", "skipped_nodes", "ready_nodes", "nodes_per_second", "status" })
        {
            Assert.True(early.TryGetProperty(field, out _), $"progress has {field}");
        }

        // Poll as a client would; each snapshot is consistent and the percentage never goes back.
        var last = -1.0;
        var deadline = DateTime.UtcNow + Api.Patience;
        JsonElement progress;
        while (true)
        {
            progress = await Client.GetJsonAsync($"api/v1/execution/{id}/progress");
            var percent = progress.GetProperty("progress_percentage").GetDouble();
            Assert.InRange(percent, last, 100);
            last = percent;
            if (progress.GetProperty("status").GetString() is "completed" or "failed" or "cancelled") break;
            Assert.True(DateTime.UtcNow < deadline, "the execution ends");
            await Task.Delay(25);
        }

        Assert.Equal("completed", progress.GetProperty("status").GetString());
        Assert.Equal(100, progress.GetProperty("progress_percentage").GetDouble());

        var results = await Client.GetJsonAsync($"api/v1/execution/{id}/results");
        var goals = Api.GoalsByName(results.GetProperty("goals"));
        Assert.Equal(5, goals["slow"].GetProperty("value").GetDouble());
        Assert.Equal(2, goals["fast"].GetProperty("value").GetDouble());
        Assert.Equal("completed", results.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Executions_list_shows_submitted_executions_newest_first()
    {
        var first = (await Client.RunAsync("print \"a\" 1", storagePath: "list")).GetProperty("execution_id").GetString();
        var second = (await Client.RunAsync("print \"b\" 2", storagePath: "list")).GetProperty("execution_id").GetString();
        var list = await Client.GetJsonAsync("api/v1/executions");
        var ids = list.GetProperty("executions").EnumerateArray().Select(e => e.GetProperty("execution_id").GetString()).ToList();
        Assert.Contains(first, ids);
        Assert.Contains(second, ids);
        Assert.True(ids.IndexOf(second) < ids.IndexOf(first), "newest first");
        var entry = list.GetProperty("executions").EnumerateArray().First(e => e.GetProperty("execution_id").GetString() == second);
        Assert.Equal("completed", entry.GetProperty("status").GetString());
        Assert.Equal("hybrid", entry.GetProperty("storage_backend").GetString());
        Assert.Equal("list", entry.GetProperty("storage_path").GetString());
        Assert.Equal($"/api/v1/execution/{second}/progress", entry.GetProperty("links").GetProperty("progress").GetString());
    }

    [Fact]
    public async Task Executions_can_be_found_by_name()
    {
        var name = "named-" + Guid.NewGuid().ToString("n")[..8];
        var id = await Client.SubmitAsync("print \"n\" 5", storagePath: "named", name: name);
        await Client.WaitForEndAsync(id);
        var byName = await Client.GetJsonAsync($"api/v1/execution/{name}/results");
        Assert.Equal(id, byName.GetProperty("execution_id").GetString());
    }

    [Fact]
    public async Task Binary_results_come_as_base64_with_a_download_link_streaming_the_same_bytes()
    {
        var answer = await Client.RunAsync("import \"test\"\nprint \"blob\" blob(7, 1)", storagePath: "binary");
        var goal = answer.GetProperty("result").GetProperty("goals")[0];
        Assert.Equal("completed", goal.GetProperty("status").GetString());
        Assert.Equal("base64", goal.GetProperty("encoding").GetString());
        var inline = Convert.FromBase64String(goal.GetProperty("value").GetString()!);
        Assert.Equal(1024 * 1024, inline.Length);

        var url = goal.GetProperty("content_url").GetString()!;
        using var response = await Client.GetAsync(url.TrimStart('/'));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        var streamed = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(inline, streamed);
    }

    [Fact]
    public async Task Content_of_text_and_structured_goals_is_UTF8_text_and_JSON()
    {
        var answer = await Client.RunAsync("print \"t\" \"héllo\"\nprint \"n\" 2.5\nprint \"s\" [1, \"x\", true]", storagePath: "content");
        var id = answer.GetProperty("execution_id").GetString();

        using var text = await Client.GetAsync($"api/v1/execution/{id}/results/0/content");
        Assert.Equal("text/plain", text.Content.Headers.ContentType?.MediaType);
        Assert.Equal("héllo", Encoding.UTF8.GetString(await text.Content.ReadAsByteArrayAsync()));

        var number = await Client.GetJsonAsync($"api/v1/execution/{id}/results/1/content");
        Assert.Equal(2.5, number.GetDouble());

        var byName = await Client.GetJsonAsync($"api/v1/execution/{id}/results/s/content");
        JsonAssert.Equal(JsonDocument.Parse("[1, \"x\", true]").RootElement, byName, "s");

        using var missing = await Client.GetAsync($"api/v1/execution/{id}/results/7/content");
        await Api.ProblemAsync(missing, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Content_of_a_failed_goal_is_a_conflict_naming_the_error()
    {
        var answer = await Client.RunAsync("print \"bad\" 1 / 0", storagePath: "failed-content");
        Assert.Equal("failed", answer.GetProperty("status").GetString());
        var goal = answer.GetProperty("result").GetProperty("goals")[0];
        Assert.Equal("failed", goal.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, goal.GetProperty("content_url").ValueKind);
        var id = answer.GetProperty("execution_id").GetString();
        using var response = await Client.GetAsync($"api/v1/execution/{id}/results/0/content");
        var problem = await Api.ProblemAsync(response, HttpStatusCode.Conflict);
        Assert.Contains("failed", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Memory_only_backend_runs_and_serves_content_from_memory()
    {
        var answer = await Client.RunAsync("print \"m\" 6 * 7", backend: "none");
        Assert.Equal(42, answer.GetProperty("result").GetProperty("goals")[0].GetProperty("value").GetDouble());
        var id = answer.GetProperty("execution_id").GetString();
        var content = await Client.GetJsonAsync($"api/v1/execution/{id}/results/0/content");
        Assert.Equal(42, content.GetDouble());
    }
}
