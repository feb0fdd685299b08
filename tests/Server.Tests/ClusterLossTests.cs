using System.Net;
using System.Diagnostics;
using System.Text.Json;
using Xunit.Abstractions;

namespace VoxScheduler.Tests;

/// <summary>
/// A cluster that goes away under a server that is its client (issue 16): health reports it, a
/// run it was coordinating ends (not completed) with the reason, and once a silo of the cluster is
/// back the server reconnects and uses it again. Its own silo and cluster id (the shared cluster's silo stays).
/// </summary>
[Collection("server-postgres")]
[Trait("Category", "Cluster")]
public sealed class ClusterLossTests(ServerPostgresFixture postgres, ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Health_reports_a_lost_cluster_its_run_ends_and_a_returning_silo_is_used_again()
    {
        var cluster = await postgres.ClusterAsync();
        var clock = Stopwatch.StartNew();
        void Step(string what) => output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: {what}");
        var clusterId = "loss-" + Guid.NewGuid().ToString("N")[..8];
        var (silo, _) = await cluster.StartSiloAsync(clusterId);
        HostProcess? second = null;
        try
        {
            await using var server = await cluster.StartServerAsync(clusterId, o =>
            {
                o.ClusterLostSeconds = 5;
                o.ClusterConnectTimeoutSeconds = 30; // a loaded machine (2 cores shared by builds) can take more than 10 s
            });
            var client = server.Client;
            Assert.Equal("connected", (await client.GetJsonAsync("health")).GetProperty("cluster").GetProperty("state").GetString());

            using var submitted = await client.PostExecutionAsync(new
            {
                program = "import \"test\"\nprint \"slow\" sleep(1, 600000)", storage_backend = "postgres", storage_path = "loss", async_execution = true,
            });
            var id = (await Api.JsonAsync(submitted, HttpStatusCode.Accepted)).GetProperty("execution_id").GetString()!;

            Step("submitted");
            // Stopped cleanly (SIGTERM), so the membership table lists it dead and a new silo joins at once
            // (after a SIGKILL a new one waits until the dead entry is stale: ReplacementSiloTests).
            using (var term = Process.Start("kill", ["-TERM", silo.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await term.WaitForExitAsync();
            Assert.Equal(0, await silo.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            var lost = await UntilAsync(client, h => h.GetProperty("cluster").GetProperty("state").GetString() != "connected");
            Step("health shows the loss");
            Assert.Equal("degraded", lost.GetProperty("status").GetString());
            Assert.False(string.IsNullOrEmpty(lost.GetProperty("cluster").GetProperty("error").GetString()));

            // The run's coordinator is gone: it ends here, not completed, saying why.
            var events = await client.ReadEventsAsync(id);
            output.WriteLine(events[^1].Data);
            // The stopping silo says so before it goes (issue 16): interrupted, not failed (well before ClusterLostSeconds would end it here).
            Assert.Equal("interrupted", events[^1].Json.GetProperty("status").GetString());
            Step("the run ended");
            var goal = Assert.Single((await client.GetJsonAsync($"api/v1/execution/{id}/results")).GetProperty("goals").EnumerateArray());
            output.WriteLine(goal.GetRawText());
            Assert.Equal("interrupted", goal.GetProperty("status").GetString());
            Assert.Contains("was stopped (host shutdown)", goal.GetProperty("error").GetString(), StringComparison.Ordinal);
            // And so does the store's history, which the silo wrote before it stopped.
            var history = await client.GetJsonAsync($"api/v1/history/{id}?storage_backend=postgres&storage_path=loss");
            output.WriteLine(history.GetRawText());
            Assert.Equal("interrupted", history.GetProperty("execution").GetProperty("status").GetString());
            Assert.Contains("was stopped (host shutdown)", history.GetProperty("execution").GetProperty("error").GetString(), StringComparison.Ordinal);

            // A silo of the same cluster comes back: the server finds it and runs there again.
            (second, var endpoint) = await cluster.StartSiloAsync(clusterId);
            Step("a new silo is ready");
            await UntilAsync(client, h => h.GetProperty("cluster").GetProperty("state").GetString() == "connected");
            Step("health shows it connected");
            using var again = await client.PostExecutionAsync(new { program = "print \"x\" 6 * 7", storage_backend = "postgres", storage_path = "loss" });
            var answer = await Api.JsonAsync(again, HttpStatusCode.OK);
            Assert.Equal("completed", answer.GetProperty("status").GetString());
            Assert.StartsWith(endpoint, answer.GetProperty("coordinator").GetString());
            Step("a run completed on it");
        }
        finally
        {
            await silo.DisposeAsync();
            if (second is not null) await second.DisposeAsync();
        }
    }

    /// <summary>Reads /health until <paramref name="condition"/> holds (the server checks the cluster every 5 s), at most <see cref="Patience"/>.</summary>
    private static async Task<JsonElement> UntilAsync(HttpClient client, Func<JsonElement, bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var health = await client.GetJsonAsync("health");
            if (condition(health)) return health;
            Assert.True(DateTime.UtcNow < deadline, $"health never changed as expected: {health.GetRawText()}");
            await Task.Delay(250);
        }
    }
}
