using System.Net;
using System.Text;
using VoxScheduler.Tests.Infrastructure;

namespace VoxScheduler.Tests.Rest;

/// <summary>With an API key configured, every API request without the right key is refused.</summary>
public sealed class RestApiKeyTests
{
    [Fact]
    public async Task Requests_without_the_configured_api_key_are_refused()
    {
        const string key = "s3cret-key-for-tests";
        await using var server = await ServerProcess.StartAsync("--api-key", key);
        var body = "{\"program\":\"print \\\"x\\\" 1 + 2\",\"storage_backend\":\"none\"}";

        async Task<HttpStatusCode> Post(string? header)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/execute-dynamic")
            {
                Content = new StringContent(body, Encoding.UTF8, "application/json"),
            };
            if (header is not null) request.Headers.Add("X-Api-Key", header);
            return (await server.Client.SendAsync(request)).StatusCode;
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await Post(null));
        Assert.Equal(HttpStatusCode.Unauthorized, await Post("wrong"));
        Assert.Equal(HttpStatusCode.Unauthorized, await Post(key + "x"));
        Assert.Equal(HttpStatusCode.Unauthorized, await Post(key[..^1]));
        Assert.Equal(HttpStatusCode.Unauthorized, await Post(""));
        Assert.Equal(HttpStatusCode.OK, await Post(key));
        using var list = new HttpRequestMessage(HttpMethod.Get, "/api/v1/executions");
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Client.SendAsync(list)).StatusCode);
    }
}
