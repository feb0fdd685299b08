using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace VoxScheduler.Tests;

/// <summary>Calls of the REST API as a client makes them, with the assertions every caller needs.</summary>
internal static class Api
{
    public const string Execute = "api/v1/execute-dynamic";

    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public static Task<HttpResponseMessage> PostExecutionAsync(this HttpClient client, object body) =>
        client.PostAsJsonAsync(Execute, body);

    public static Task<HttpResponseMessage> PostRawAsync(this HttpClient client, string body, string contentType = "application/json") =>
        client.PostAsync(Execute, new StringContent(body, Encoding.UTF8, contentType));

    /// <summary>Runs a program synchronously and returns the 200 answer.</summary>
    /// <remarks>Without <paramref name="backend"/> the server chooses (the store's own backend, else hybrid).</remarks>
    public static async Task<JsonElement> RunAsync(this HttpClient client, string program, string? storagePath = null, string? backend = null)
    {
        var body = new Dictionary<string, object?> { ["program"] = program, ["async_execution"] = false };
        if (backend is not null) body["storage_backend"] = backend;
        if (storagePath is not null) body["storage_path"] = storagePath;
        using var response = await client.PostExecutionAsync(body);
        return await JsonAsync(response, HttpStatusCode.OK);
    }

    /// <summary>Submits a program asynchronously and returns its execution id (answer 202).</summary>
    public static async Task<string> SubmitAsync(this HttpClient client, string program, string? storagePath = null, string? name = null)
    {
        var body = new Dictionary<string, object?> { ["program"] = program, ["async_execution"] = true };
        if (storagePath is not null) body["storage_path"] = storagePath;
        if (name is not null) body["name"] = name;
        using var response = await client.PostExecutionAsync(body);
        var json = await JsonAsync(response, HttpStatusCode.Accepted);
        Assert.Equal("submitted", json.GetProperty("status").GetString());
        return json.GetProperty("execution_id").GetString()!;
    }

    public static async Task<JsonElement> GetJsonAsync(this HttpClient client, string url, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await client.GetAsync(url);
        return await JsonAsync(response, expected);
    }

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Asserts an RFC 7807 answer with the status, free of stack traces, and returns it.</summary>
    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("   at ", text);
        Assert.DoesNotContain(".cs:line", text);
        var json = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Equal((int)expected, json.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(json.GetProperty("title").GetString()));
        return json;
    }

    /// <summary>Reads the server-sent events of an execution up to and including execution-finished.</summary>
    public static async Task<List<ServerSentEvent>> ReadEventsAsync(this HttpClient client, string executionId, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Patience);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/v1/execution/{executionId}/events");
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
        var events = new List<ServerSentEvent>();
        await foreach (var e in ServerSentEvent.ParseAsync(stream, timeout.Token))
        {
            events.Add(e);
            if (e.Event == "execution-finished") break;
        }

        return events;
    }

    /// <summary>Waits for an execution to end (the events stream is the signal) and returns its final progress.</summary>
    public static async Task<JsonElement> WaitForEndAsync(this HttpClient client, string executionId)
    {
        var events = await client.ReadEventsAsync(executionId);
        Assert.Equal("execution-finished", events[^1].Event);
        return await client.GetJsonAsync($"api/v1/execution/{executionId}/progress");
    }

    /// <summary>The goals of an answer (sync result or results endpoint) by name.</summary>
    public static Dictionary<string, JsonElement> GoalsByName(JsonElement goalsArray) =>
        goalsArray.EnumerateArray().ToDictionary(g => g.GetProperty("name").GetString()!, g => g);
}
