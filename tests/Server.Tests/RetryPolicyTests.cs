using System.Diagnostics;
using System.Net;

namespace VoxScheduler.Tests;

/// <summary>
/// Issue 14 item 15: the retry policy of a request (max_retries, retry_base_delay_seconds,
/// retry_backoff_factor, retry_max_delay_seconds, retry_on) is the one its execution retries by;
/// before, only max_retries existed and the other fields were refused as unknown.
/// </summary>
[Collection("Server")]
public sealed class RetryPolicyTests(ServerFixture fixture)
{
    private HttpClient Client => fixture.Host.Client;

    private static string Flaky(int failures, string key) => $"import \"test\"\nprint \"f\" flaky(7, {failures}, \"{key}\")";

    [Fact]
    public async Task A_node_is_tried_as_often_as_max_retries_says_after_the_configured_delays()
    {
        // Three failures, three retries 0.3 s apart (factor 1): the fourth try succeeds, and not before 0.9 s.
        var clock = Stopwatch.StartNew();
        using var response = await Client.PostExecutionAsync(new
        {
            program = Flaky(3, Guid.NewGuid().ToString("n")), storage_backend = "none", max_retries = 3,
            retry_base_delay_seconds = 0.3, retry_backoff_factor = 1.0, retry_max_delay_seconds = 0.3,
        });
        var answer = await Api.JsonAsync(response, HttpStatusCode.OK);
        Assert.Equal("completed", answer.GetProperty("status").GetString());
        Assert.Equal(7, answer.GetProperty("result").GetProperty("goals")[0].GetProperty("value").GetDouble());
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.9), $"three retries 0.3 s apart took {clock.Elapsed}");

        // One retry fewer than failures: the node fails after max_retries + 1 tries.
        using var tooFew = await Client.PostExecutionAsync(new
        {
            program = Flaky(3, Guid.NewGuid().ToString("n")), storage_backend = "none", max_retries = 2, retry_base_delay_seconds = 0,
        });
        var failed = await Api.JsonAsync(tooFew, HttpStatusCode.OK);
        Assert.Equal("failed", failed.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Retry_on_leaves_operation_failures_untried_when_it_names_only_timeouts()
    {
        var key = Guid.NewGuid().ToString("n");
        using var response = await Client.PostExecutionAsync(new
        {
            program = Flaky(1, key), storage_backend = "none", max_retries = 5, retry_base_delay_seconds = 0, retry_on = new[] { "timeout" },
        });
        var answer = await Api.JsonAsync(response, HttpStatusCode.OK);
        Assert.Equal("failed", answer.GetProperty("status").GetString());

        // The same key again: flaky failed once only, so this try succeeds (the first was tried once, not retried).
        using var again = await Client.PostExecutionAsync(new { program = Flaky(1, key), storage_backend = "none", max_retries = 0 });
        Assert.Equal("completed", (await Api.JsonAsync(again, HttpStatusCode.OK)).GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("retry_base_delay_seconds", "-1", "$.retry_base_delay_seconds")]
    [InlineData("retry_base_delay_seconds", "1e300", "$.retry_base_delay_seconds")]
    [InlineData("retry_backoff_factor", "0.5", "$.retry_backoff_factor")]
    [InlineData("retry_max_delay_seconds", "100000", "$.retry_max_delay_seconds")]
    [InlineData("retry_on", "[\"operation\", \"sometimes\"]", "$.retry_on[1]")]
    public async Task A_bad_retry_field_is_400_naming_it(string field, string value, string path)
    {
        using var response = await Client.PostRawAsync($"{{\"program\": \"print \\\"a\\\" 1\", \"storage_backend\": \"none\", \"{field}\": {value}}}");
        var problem = await Api.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(problem.GetProperty("errors").EnumerateArray(), e => e.GetProperty("path").GetString() == path);
    }

    [Fact]
    public async Task A_cap_below_the_base_delay_is_400()
    {
        using var response = await Client.PostExecutionAsync(new
        {
            program = "print \"a\" 1", storage_backend = "none", retry_base_delay_seconds = 10, retry_max_delay_seconds = 5,
        });
        var problem = await Api.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("Invalid configuration", problem.GetProperty("title").GetString());
        Assert.Contains("at least retry_base_delay_seconds", problem.GetProperty("detail").GetString());
    }
}
