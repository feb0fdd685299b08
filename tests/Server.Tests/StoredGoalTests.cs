using System.Net;
using System.Text.Json;
using VoxScheduler.Storage;

namespace VoxScheduler.Tests;

/// <summary>
/// A request's compression, codec and streaming threshold reach its stored results (#14 item
/// 13), and the history says how each goal is stored and what became of it (#14 item 16:
/// created_at, stored size, codec, completed or cached; #13: interrupted, not failed).
/// </summary>
[Collection("Server")]
public sealed class StoredGoalTests(ServerFixture fixture)
{
    private HttpClient Client => fixture.Host.Client;

    // A computed, compressible text of 3001 characters (a constant would not be computed).
    private static string Program(string seed) => $"print \"s\" \"{seed}{new string('v', 3000)}\" + \"w\"";

    private async Task<JsonElement> RunAsync(string path, string seed, object extra)
    {
        var body = JsonSerializer.SerializeToElement(extra).EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value);
        body["program"] = Program(seed);
        body["storage_path"] = path;
        body["storage_backend"] = "hybrid";
        using var response = await Client.PostExecutionAsync(body);
        var answer = await Api.JsonAsync(response, HttpStatusCode.OK);
        Assert.Equal("completed", answer.GetProperty("status").GetString());
        var id = answer.GetProperty("execution_id").GetString()!;
        var detail = await Client.GetJsonAsync($"api/v1/history/{id}?storage_path={path}");
        return detail.GetProperty("goals")[0];
    }

    [Fact]
    public async Task Each_request_s_compression_and_codec_reach_its_stored_results_on_one_store()
    {
        var path = "stored-" + Guid.NewGuid().ToString("n")[..8];
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        // The first request opens the store with the defaults (lz4).
        var lz4 = await RunAsync(path, "a", new { });
        Assert.Equal("lz4", lz4.GetProperty("compression").GetString());
        Assert.True(lz4.GetProperty("stored_size").GetInt64() < lz4.GetProperty("size").GetInt64() / 4, lz4.GetRawText());
        var created = lz4.GetProperty("created_at").GetDateTimeOffset();
        Assert.InRange(created, before, DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Equal("completed", lz4.GetProperty("status").GetString());

        // The store is open now; a request without compression must still store raw.
        var raw = await RunAsync(path, "b", new { compression = false });
        Assert.Equal(JsonValueKind.Null, raw.GetProperty("compression").ValueKind);
        Assert.Equal(raw.GetProperty("size").GetInt64(), raw.GetProperty("stored_size").GetInt64());

        var brotli = await RunAsync(path, "c", new { compression_codec = "brotli" });
        Assert.Equal("brotli", brotli.GetProperty("compression").GetString());

        // A streaming threshold below the result's size keeps it as a raw file of the hybrid store
        // (compressible as it is, it would otherwise be stored inline with lz4).
        var streamed = await RunAsync(path, "d", new { streaming_threshold = 1024 });
        Assert.Equal(JsonValueKind.Null, streamed.GetProperty("compression").ValueKind);
        Assert.Equal(streamed.GetProperty("size").GetInt64(), streamed.GetProperty("stored_size").GetInt64());

        // Run again: served from the store, so the goal is cached and keeps its first creation time.
        var again = await RunAsync(path, "a", new { compression = false });
        Assert.Equal("cached", again.GetProperty("status").GetString());
        Assert.Equal(created, again.GetProperty("created_at").GetDateTimeOffset());
        Assert.Equal("lz4", again.GetProperty("compression").GetString());
    }

    [Fact]
    public async Task An_unknown_codec_is_400_naming_the_field()
    {
        using var response = await Client.PostExecutionAsync(new { program = "print \"a\" 1", storage_backend = "none", compression_codec = "zip" });
        var problem = await Api.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("$.compression_codec", problem.GetProperty("errors")[0].GetProperty("path").GetString());
        Assert.Contains("lz4, brotli, none", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task The_goals_of_an_execution_whose_process_ended_are_interrupted_not_failed()
    {
        // What a server killed mid-run leaves: a Running record owned by a process that is gone
        // (this pid, an earlier start), its goals named, none of them stored.
        var path = "interrupted-" + Guid.NewGuid().ToString("n")[..8];
        var parts = ExecutionOwner.Current.Split('/');
        parts[2] = (long.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture) - 1000).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var goal = Dag.NodeId.Parse(new string('a', 64));
        await using (var store = await StoreFactory.OpenAsync("hybrid", Path.Combine(fixture.Host.DataRoot, path)))
        {
            await store.RecordExecutionAsync(new ExecutionRecord
            {
                ExecutionId = "killed-run", Status = "Running", SubmittedAt = DateTimeOffset.UtcNow, TotalNodes = 3, Owner = string.Join('/', parts),
            });
            await store.RecordNodeNamesAsync("killed-run", [new ExecutionNodeName("killed-run", "never", goal, true, 0)]);
            await store.FlushAsync();
        }

        var detail = await Client.GetJsonAsync($"api/v1/history/killed-run?storage_path={path}");
        Assert.Equal("interrupted", detail.GetProperty("execution").GetProperty("status").GetString());
        var never = detail.GetProperty("goals")[0];
        Assert.Equal("interrupted", never.GetProperty("status").GetString());
        Assert.False(never.GetProperty("available").GetBoolean());
    }
}
