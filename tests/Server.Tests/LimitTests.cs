using System.Net;
using System.Net.Http.Json;
using System.Text;

namespace VoxScheduler.Tests;

public sealed class LimitTests
{
    [Fact]
    public async Task Oversized_bodies_and_programs_are_413()
    {
        await using var host = await ServerHost.StartAsync(o =>
        {
            o.MaxRequestBodyBytes = 4096;
            o.MaxProgramLength = 1000;
        });

        // A program over the program limit in a body under the body limit.
        using (var response = await host.Client.PostExecutionAsync(new { program = "print \"a\" 1\n" + new string(' ', 2000) }))
        {
            await Api.ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        }

        // A body over the limit, announced by Content-Length.
        using (var response = await host.Client.PostExecutionAsync(new { program = new string('x', 10_000) }))
        {
            await Api.ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        }

        // A body over the limit, sent chunked (no Content-Length): the server stops reading at the limit.
        var json = JsonContent.Create(new { program = new string('x', 10_000) });
        var bytes = await json.ReadAsByteArrayAsync();
        using var chunked = new StreamContent(new MemoryStream(bytes));
        chunked.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, Api.Execute) { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        using (var response = await host.Client.SendAsync(request))
        {
            await Api.ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        }

        // The server is still healthy and accepts a small program.
        var ok = await host.Client.RunAsync("print \"a\" 1");
        Assert.Equal("completed", ok.GetProperty("status").GetString());
    }

    [Fact]
    public async Task API_key_is_required_for_the_API_when_configured()
    {
        await using var host = await ServerHost.StartAsync(o => o.ApiKey = "s3cret-key");

        using (var missing = await host.Client.GetAsync("api/v1/executions"))
        {
            await Api.ProblemAsync(missing, HttpStatusCode.Unauthorized);
            Assert.Contains("ApiKey", missing.Headers.WwwAuthenticate.ToString());
        }

        using var wrongClient = host.NewClient("s3cret-kez");
        using (var wrong = await wrongClient.PostExecutionAsync(new { program = "print \"a\" 1" }))
        {
            await Api.ProblemAsync(wrong, HttpStatusCode.Unauthorized);
        }

        using var shortClient = host.NewClient("s3cret");
        using (var prefix = await shortClient.GetAsync("api/v1/operations"))
        {
            await Api.ProblemAsync(prefix, HttpStatusCode.Unauthorized);
        }

        using var rightClient = host.NewClient("s3cret-key");
        var answer = await rightClient.RunAsync("print \"a\" 1");
        Assert.Equal(1, answer.GetProperty("result").GetProperty("goals")[0].GetProperty("value").GetDouble());

        var health = await host.Client.GetJsonAsync("health");
        Assert.True(health.GetProperty("api_key_required").GetBoolean());
    }

    [Fact]
    public async Task Submissions_beyond_the_concurrent_execution_limit_are_429_until_a_slot_frees()
    {
        await using var host = await ServerHost.StartAsync(o => o.MaxConcurrentExecutions = 1);
        var running = await host.Client.SubmitAsync("import \"test\"\nprint \"slow\" sleep(1, 60000)");

        using (var refused = await host.Client.PostExecutionAsync(new { program = "print \"a\" 1" }))
        {
            var problem = await Api.ProblemAsync(refused, HttpStatusCode.TooManyRequests);
            Assert.Contains("1", problem.GetProperty("detail").GetString());
            Assert.NotNull(refused.Headers.RetryAfter);
        }

        using (var cancel = await host.Client.DeleteAsync($"api/v1/execution/{running}"))
        {
            Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        }

        var after = await host.Client.RunAsync("print \"a\" 1");
        Assert.Equal("completed", after.GetProperty("status").GetString());
        Assert.Equal(0, (await host.Client.GetJsonAsync("health")).GetProperty("running_executions").GetInt32());
    }

    [Fact]
    public async Task Large_binary_values_are_omitted_from_JSON_but_downloadable()
    {
        await using var host = await ServerHost.StartAsync(o => o.MaxInlineBytes = 1024);
        var answer = await host.Client.RunAsync("import \"test\"\nprint \"blob\" blob(3, 1)");
        var goal = answer.GetProperty("result").GetProperty("goals")[0];
        Assert.True(goal.GetProperty("value_omitted").GetBoolean());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, goal.GetProperty("value").ValueKind);
        using var response = await host.Client.GetAsync(goal.GetProperty("content_url").GetString()!.TrimStart('/'));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1024 * 1024, (await response.Content.ReadAsByteArrayAsync()).Length);
    }

    [Fact]
    public async Task Long_sequences_and_strings_are_not_inlined_but_streamed_from_their_link()
    {
        await using var host = await ServerHost.StartAsync(o => o.MaxInlineBytes = 64 * 1024);
        var answer = await host.Client.RunAsync("n = length([1])\nprint \"seq\" range(0, n * 200000)\nprint \"small\" [1, 2, 3]", backend: "none");
        var goals = Api.GoalsByName(answer.GetProperty("result").GetProperty("goals"));
        Assert.True(goals["seq"].GetProperty("value_omitted").GetBoolean());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, goals["seq"].GetProperty("value").ValueKind);
        Assert.True(answer.GetRawText().Length < 64 * 1024, $"{answer.GetRawText().Length} characters of answer");
        Assert.False(goals["small"].TryGetProperty("value_omitted", out var smallOmitted) && smallOmitted.GetBoolean());
        Assert.Equal(3, goals["small"].GetProperty("value").GetArrayLength());

        using var response = await host.Client.GetAsync(goals["seq"].GetProperty("content_url").GetString()!.TrimStart('/'));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStreamAsync());
        Assert.Equal(200000, document.RootElement.GetArrayLength());
        Assert.Equal(199999, document.RootElement[199999].GetDouble());
    }

    [Fact]
    public async Task Disabled_test_operations_are_not_listed_and_programs_using_them_are_400()
    {
        await using var host = await ServerHost.StartAsync(o => o.EnableTestOperations = false);
        var ops = await host.Client.GetJsonAsync("api/v1/operations");
        Assert.DoesNotContain(ops.GetProperty("operations").EnumerateArray(), o => o.GetProperty("namespace").GetString() == "test");
        using var response = await host.Client.PostExecutionAsync(new { program = "import \"test\"\nprint \"s\" sleep(1, 10)" });
        await Api.ProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Test_operations_are_off_by_default()
    {
        await using var host = await ServerHost.StartWithShippedDefaultsAsync();
        var ops = await host.Client.GetJsonAsync("api/v1/operations");
        Assert.DoesNotContain(ops.GetProperty("operations").EnumerateArray(), o => o.GetProperty("namespace").GetString() == "test");
        using var response = await host.Client.PostExecutionAsync(new { program = "import \"test\"\nprint \"s\" test.blob(1, 4000)", storage_backend = "none" });
        await Api.ProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Test_operations_when_on_are_bounded()
    {
        await using var host = await ServerHost.StartAsync();
        var answer = await host.Client.RunAsync("import \"test\"\nprint \"b\" blob(1, 65536)\nprint \"s\" sleep(1, 1e12)", backend: "none");
        Assert.Equal("failed", answer.GetProperty("status").GetString());
        var goals = Api.GoalsByName(answer.GetProperty("result").GetProperty("goals"));
        Assert.Contains("mb must be between 0 and 4096", goals["b"].ToString());
        Assert.Contains("ms must be between 0 and 600000", goals["s"].ToString());
    }
}
