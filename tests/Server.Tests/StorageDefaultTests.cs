using System.Net;

namespace VoxScheduler.Tests;

/// <summary>
/// The storage default on the server (issue 14): a request without storage_backend writes a
/// hybrid store, or the store already in storage_path as what it is; a folder never mixes backends.
/// </summary>
public sealed class StorageDefaultTests
{
    [Fact]
    public async Task Without_a_backend_a_new_store_is_hybrid_and_an_existing_one_keeps_its_own()
    {
        await using var host = await ServerHost.StartAsync();
        using (var response = await host.Client.PostExecutionAsync(new { program = "print \"a\" 1 + 1", storage_path = "fresh" }))
        {
            var answer = await Api.JsonAsync(response, HttpStatusCode.OK);
            Assert.Equal("completed", answer.GetProperty("status").GetString());
        }

        Assert.Equal("hybrid", File.ReadAllText(Path.Combine(host.DataRoot, "fresh", "voxstore.backend")).Trim());
        var summary = Assert.Single((await host.Client.GetJsonAsync("api/v1/executions")).GetProperty("executions").EnumerateArray());
        Assert.Equal("hybrid", summary.GetProperty("storage_backend").GetString());

        // A sqlite store (the old default): later requests without a backend use it as sqlite.
        await host.Client.RunAsync("print \"b\" 2", storagePath: "old", backend: "sqlite");
        using (var response = await host.Client.PostExecutionAsync(new { program = "print \"c\" 3", storage_path = "old" }))
        {
            var answer = await Api.JsonAsync(response, HttpStatusCode.OK);
            var id = answer.GetProperty("execution_id").GetString()!;
            var entry = (await host.Client.GetJsonAsync("api/v1/executions")).GetProperty("executions").EnumerateArray()
                .Single(e => e.GetProperty("execution_id").GetString() == id);
            Assert.Equal("sqlite", entry.GetProperty("storage_backend").GetString());
        }

        Assert.Equal("sqlite", (await host.Client.GetJsonAsync("api/v1/history?storage_path=old")).GetProperty("storage_backend").GetString());
        Assert.Equal("hybrid", (await host.Client.GetJsonAsync("api/v1/history?storage_path=fresh")).GetProperty("storage_backend").GetString());
    }

    [Fact]
    public async Task Another_backend_on_a_store_folder_is_refused_and_changes_nothing()
    {
        await using var host = await ServerHost.StartAsync();
        await host.Client.RunAsync("print \"b\" 2", storagePath: "kept", backend: "sqlite");
        var folder = Path.Combine(host.DataRoot, "kept");
        using var response = await host.Client.PostExecutionAsync(new { program = "print \"x\" 1", storage_path = "kept", storage_backend = "filesystem", async_execution = false });
        var problem = await Api.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("holds a sqlite store", problem.GetProperty("detail").GetString());
        Assert.False(File.Exists(Path.Combine(folder, "fsstore.json")));
        Assert.False(Directory.Exists(Path.Combine(folder, "results")));
        Assert.Equal("sqlite", File.ReadAllText(Path.Combine(folder, "voxstore.backend")).Trim());
    }
}
