using System.Net;
using System.Text;
using System.Text.Json;

namespace VoxScheduler.Tests;

[Collection("Server")]
public sealed class BadRequestTests(ServerFixture fixture)
{
    private HttpClient Client => fixture.Host.Client;

    [Fact]
    public async Task SyntaxErrorsAre400WithLineAndColumn()
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
    public async Task UnboundNamesAre400WithTheirLocation()
    {
        using var response = await Client.PostExecutionAsync(new { program = "f(x) = x + y\nprint \"r\" f(1)" });
        var problem = await Api.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(problem.GetProperty("errors").EnumerateArray(),
            e => e.GetProperty("line").GetInt32() == 1 && e.GetProperty("column").GetInt32() == 12 && e.GetProperty("message").GetString()!.Contains('y'));
    }

    [Theory]
    [InlineData("{\"program\": \"print \\\"a\\\" 1\", \"max_retry\": 5}", "max_retry")]
    [InlineData("{\"program\": \"print \\\"a\\\" 1\", \"program\": \"print \\\"b\\\" 2\"}", "program")]
    public async Task UnknownAndDuplicateFieldsAre400NamingThem(string body, string field)
    {
        using var response = await Client.PostRawAsync(body);
        var problem = await Api.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(field, problem.GetRawText());
    }

    [Fact]
    public async Task WrongTypesNameWhatIsExpectedNotDotNetTypes()
    {
        using var response = await Client.PostRawAsync("{\"program\": \"print \\\"a\\\" 1\", \"max_retries\": \"three\"}");
        var problem = await Api.ProblemAsync(response, HttpStatusCode.BadRequest);
        var text = problem.GetRawText();
        Assert.DoesNotContain("System.", text);
        Assert.DoesNotContain("`1", text);
        Assert.Contains("an integer", text);
    }

    [Fact]
    public async Task ConfigurationErrorsAreTitledSoAndNameTheirField()
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
    public async Task MalformedJsonIs400(string body)
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
    public async Task WrongTypesAre400NamingTheField(string body, string path)
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
    public async Task MissingOrOutOfRangeFieldsAre400(string body, string path)
    {
        using var response = await Client.PostRawAsync(body);
        var problem = await Api.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(problem.GetProperty("errors").EnumerateArray(), e => e.GetProperty("path").GetString() == path);
    }

    [Fact]
    public async Task InvalidExecutionConfigIs400()
    {
        using var response = await Client.PostExecutionAsync(new { program = "print \"a\" 1", cache_size = "lots", max_retries = -1 });
        var problem = await Api.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").GetArrayLength() >= 2);
    }

    [Fact]
    public async Task NonJsonContentTypeIs415()
    {
        using var response = await Client.PostRawAsync("print \"a\" 1", "text/plain");
        await Api.ProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
    }

    [Theory]
    [InlineData("api/v1/execution/unknown-id/progress")]
    [InlineData("api/v1/execution/unknown-id/results")]
    [InlineData("api/v1/execution/unknown-id/results/0/content")]
    [InlineData("api/v1/no-such-route")]
    public async Task UnknownExecutionsAndRoutesAre404ProblemDetails(string url)
    {
        using var response = await Client.GetAsync(url);
        await Api.ProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task WrongMethodIsAProblemNotAnEmptyAnswer()
    {
        using var response = await Client.PutAsync("api/v1/executions", new StringContent("{}", Encoding.UTF8, "application/json"));
        await Api.ProblemAsync(response, HttpStatusCode.MethodNotAllowed);
    }

    [Fact]
    public async Task DeeplyNestedJsonIs400NotAServerError()
    {
        var body = new string('[', 5000) + new string(']', 5000);
        using var response = await Client.PostRawAsync(body);
        await Api.ProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task RuntimeFailuresAreReportedPerGoalWithA200()
    {
        var answer = await Client.RunAsync("bad = 1 / 0\nprint \"bad\" bad\nprint \"good\" 2 + 3", storagePath: "runtime-failure");
        Assert.Equal("failed", answer.GetProperty("status").GetString());
        var goals = Api.GoalsByName(answer.GetProperty("result").GetProperty("goals"));
        Assert.Contains("division by zero", goals["bad"].GetProperty("error").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(5, goals["good"].GetProperty("value").GetDouble());
        Assert.Equal(JsonValueKind.Null, goals["bad"].GetProperty("value").ValueKind);
    }
}
