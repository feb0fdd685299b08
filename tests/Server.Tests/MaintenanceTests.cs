using System.Net;

namespace VoxScheduler.Tests;

/// <summary>Eviction and history trimming over REST, for callers with the API key only (issue 14 item 18).</summary>
public sealed class MaintenanceTests
{
    [Fact]
    public async Task A_server_without_an_API_key_refuses_maintenance_and_deletes_nothing()
    {
        await using var host = await ServerHost.StartAsync();
        var id = (await host.Client.RunAsync("print \"a\" 6 * 7", storagePath: "kept")).GetProperty("execution_id").GetString();
        using (var evict = await host.Client.PostAsync("api/v1/store/evict?storage_path=kept&max_total_bytes=0", null))
        {
            await Api.ProblemAsync(evict, HttpStatusCode.Forbidden);
        }

        using (var trim = await host.Client.PostAsync("api/v1/store/history/trim?storage_path=kept&max_executions=0", null))
        {
            await Api.ProblemAsync(trim, HttpStatusCode.Forbidden);
        }

        var history = await host.Client.GetJsonAsync("api/v1/history?storage_path=kept");
        Assert.Contains(history.GetProperty("executions").EnumerateArray(), e => e.GetProperty("execution_id").GetString() == id);
    }

    [Fact]
    public async Task With_the_API_key_results_are_evicted_and_history_trimmed()
    {
        await using var host = await ServerHost.StartAsync(o => o.ApiKey = "maintenance-key");
        host.Client.DefaultRequestHeaders.Add("X-Api-Key", "maintenance-key");
        for (var i = 0; i < 3; i++) await host.Client.RunAsync($"print \"v\" {i} * 1000 + 7", storagePath: "trimmed");

        using (var unauthorised = new HttpClient { BaseAddress = host.Client.BaseAddress })
        using (var refused = await unauthorised.PostAsync("api/v1/store/evict?storage_path=trimmed&max_total_bytes=0", null))
        {
            await Api.ProblemAsync(refused, HttpStatusCode.Unauthorized);
        }

        using (var nothing = await host.Client.PostAsync("api/v1/store/evict?storage_path=trimmed", null))
        {
            await Api.ProblemAsync(nothing, HttpStatusCode.BadRequest);
        }

        using (var missing = await host.Client.PostAsync("api/v1/store/evict?storage_path=no-such-store&max_total_bytes=0", null))
        {
            await Api.ProblemAsync(missing, HttpStatusCode.NotFound);
        }

        Assert.False(Directory.Exists(Path.Combine(host.DataRoot, "no-such-store")));

        using (var evict = await host.Client.PostAsync("api/v1/store/evict?storage_path=trimmed&max_total_bytes=0", null))
        {
            var report = await Api.JsonAsync(evict, HttpStatusCode.OK);
            Assert.True(report.GetProperty("removed").GetInt32() >= 3, report.GetRawText());
            Assert.Equal(0, report.GetProperty("remaining").GetInt32());
            Assert.Equal(0, report.GetProperty("remaining_bytes").GetInt64());
        }

        using (var trim = await host.Client.PostAsync("api/v1/store/history/trim?storage_path=trimmed&max_executions=1", null))
        {
            var report = await Api.JsonAsync(trim, HttpStatusCode.OK);
            Assert.Equal(2, report.GetProperty("removed").GetInt32());
            Assert.Equal(1, report.GetProperty("remaining").GetInt32());
        }

        var history = await host.Client.GetJsonAsync("api/v1/history?storage_path=trimmed");
        Assert.Equal(1, history.GetProperty("count").GetInt32());
    }
}
