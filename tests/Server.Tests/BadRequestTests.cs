using System.Net;
using System.Text;
using System.Text.Json;

namespace VoxScheduler.Tests;

[Collection("Server")]
public sealed class BadRequestTests(ServerFixture fixture)
{
    private HttpClient Client => fixture.Host.Client;

    [Fact]
    public async Task Syntax_errors_are_400_with_line_and_column()
    {
        using var response = await Client.PostExecutionAsync(new { program = "a = 1 +\nprint \"a\" a\n" });
        var problem = await Api.ProblemAsync(response, HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors").EnumerateArray().ToList();
        Assert.NotEmpty(errors);
        Assert.Contains(errors, e => e.GetProperty("line").GetInt32() == 2 && e.GetProperty("column").GetInt32() == 1);
        Assert.All(errors, e => Assert.False(string.IsNullOrEmpty(e.GetProperty("message").GetString())));
        Assert.Equal("Syntax", errors[0].GetProperty("code").GetString());
        Assert.True(errors[0].TryGetProperty("file", out _));
    }

    [Fact]
    public async Task Unbound_names_are_400_with_their_location()
    {
        using var response = await Client.PostExecutionAsync(new { program = "f(x) = x + y\nprint \"r\" f(1)" });
        var problem = await Api.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(problem.GetProperty("errors").EnumerateArray(),
            e => e.GetProperty("line").GetInt32() == 1 && e.GetProperty("column").GetInt32() == 12 && e.GetProperty("message").GetString()!.Contains('y'));
    }

    [Theory]
    [InlineData("{\"program\": \"print \\\"a\\\" 1\", \"max_retry\": 5}", "max_retry")]
    [InlineData("{\"program\": \"print \\\"a\\\" 1\", \"program\": \"print \\\"b\\\" 2\"}", "program")]
    public async Task Unknown_and_duplicate_fields_are_400_naming_them(string body, string field)
    {
        using var response = await Client.PostRawAsync(body);
        var problem = await Api.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(field, problem.GetRawText());
    }

    [Fact]
    public async Task Wrong_types_name_what_is_expected_not_dot_net_types()
    {
        using var response = await Client.PostRawAsync("{\"program\": \"print \\\"a\\\" 1\", \"max_retries\": \"three\"}");
        var problem = await Api.ProblemAsync(response, HttpStatusCode.BadRequest);
        var text = problem.GetRawText();
        Assert.DoesNotContain("System.", text);
        Assert.DoesNotContain("`1", text);
        Assert.Contains("an integer", text);
    }

    [Fact]
    public async Task Configuration_errors_are_titled_so_and_name_their_field()
    {
        using var response = await Client.PostExecutionAsync(new { program = "print \"a\" 1", max_retries = 1000, storage_backend = "none" });
        var problem = await Api.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("Invalid configuration", problem.GetProperty("title").GetString());
        Assert.Equal("$.max_retries", problem.GetProperty("errors")[0].GetProperty("path").GetString());
    }

    [Theory]
    [InlineData("{ \"program\": ")]
    [InlineData("not json at all")]
    [InlineData("")]
    [InlineData("[1, 2]")]
    [InlineData("{\"program\": \"print \\\"a\\\" 1\",}")]
    public async Task Malformed_JSON_is_400(string body)
    {
        using var response = await Client.PostRawAsync(body);
        var problem = await Api.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("InvalidJson", problem.GetProperty("errors")[0].GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("{\"program\": \"print \\\"a\\\" 1\", \"max_concurrent_nodes\": \"four\"}", "$.max_concurrent_nodes")]
    [InlineData("{\"program\": \"print \\\"a\\\" 1\", \"max_concurrent_nodes\": 2.5}", "$.max_concurrent_nodes")]
    [InlineData("{\"program\": \"print \\\"a\\\" 1\", \"async_execution\": \"yes\"}", "$.async_execution")]
    [InlineData("{\"program\": 42}", "$.program")]
    [InlineData("{\"program\": \"print \\\"a\\\" 1\", \"max_concurrent_nodes\": 99999999999999}", "$.max_concurrent_nodes")]
    public async Task Wrong_types_are_400_naming_the_field(string body, string path)
    {
        using var response = await Client.PostRawAsync(body);
        var problem = await Api.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(path, problem.GetProperty("errors")[0].GetProperty("path").GetString());
    }

    [Theory]
    [InlineData("{}", "$.program")]
    [InlineData("null", "$")]
    [InlineData("{\"program\": \"print \\\"a\\\" 1\", \"max_concurrent_nodes\": 0}", "$.max_concurrent_nodes")]
    [InlineData("{\"program\": \"print \\\"a\\\" 1\", \"storage_backend\": \"oracle\"}", "$.storage_backend")]
    public async Task Missing_or_out_of_range_fields_are_400(string body, string path)
    {
        using var response = await Client.PostRawAsync(body);
        var problem = await Api.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(problem.GetProperty("errors").EnumerateArray(), e => e.GetProperty("path").GetString() == path);
    }

    [Fact]
    public async Task Invalid_execution_config_is_400()
    {
        using var response = await Client.PostExecutionAsync(new { program = "print \"a\" 1", cache_size = "lots", max_retries = -1 });
        var problem = await Api.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").GetArrayLength() >= 2);
    }

    [Fact]
    public async Task Non_JSON_content_type_is_415()
    {
        using var response = await Client.PostRawAsync("print \"a\" 1", "text/plain");
        await Api.ProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
    }

    [Theory]
    [InlineData("api/v1/execution/unknown-id/progress")]
    [InlineData("api/v1/execution/unknown-id/results")]
    [InlineData("api/v1/execution/unknown-id/results/0/content")]
    [InlineData("api/v1/no-such-route")]
    public async Task Unknown_executions_and_routes_are_404_problem_details(string url)
    {
        using var response = await Client.GetAsync(url);
        await Api.ProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Wrong_method_is_a_problem_not_an_empty_answer()
    {
        using var response = await Client.PutAsync("api/v1/executions", new StringContent("{}", Encoding.UTF8, "application/json"));
        await Api.ProblemAsync(response, HttpStatusCode.MethodNotAllowed);
    }

    [Fact]
    public async Task Deeply_nested_JSON_is_400_not_a_server_error()
    {
        var body = new string('[', 5000) + new string(']', 5000);
        using var response = await Client.PostRawAsync(body);
        await Api.ProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Runtime_failures_are_reported_per_goal_with_a_200()
    {
        var answer = await Client.RunAsync("bad = 1 / 0\nprint \"bad\" bad\nprint \"good\" 2 + 3", storagePath: "runtime-failure");
        Assert.Equal("failed", answer.GetProperty("status").GetString());
        var goals = Api.GoalsByName(answer.GetProperty("result").GetProperty("goals"));
        Assert.Contains("division by zero", goals["bad"].GetProperty("error").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(5, goals["good"].GetProperty("value").GetDouble());
        Assert.Equal(JsonValueKind.Null, goals["bad"].GetProperty("value").ValueKind);

        // The execution says what went wrong too, in its results and in the list of executions.
        var id = answer.GetProperty("execution_id").GetString()!;
        var error = answer.GetProperty("result").GetProperty("error").GetString();
        Assert.Contains("division by zero", error, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(error, (await Client.GetJsonAsync($"api/v1/execution/{id}/results")).GetProperty("error").GetString());
        var listed = (await Client.GetJsonAsync("api/v1/executions")).GetProperty("executions").EnumerateArray()
            .Single(e => e.GetProperty("execution_id").GetString() == id);
        Assert.Equal(error, listed.GetProperty("error").GetString());

        // A run where nothing went wrong has no error at all.
        var fine = await Client.RunAsync("print \"good\" 2 + 4", storagePath: "runtime-failure");
        Assert.False(fine.GetProperty("result").TryGetProperty("error", out _));
    }
}
