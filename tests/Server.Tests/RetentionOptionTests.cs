using System.Net;

namespace VoxScheduler.Tests;

/// <summary>The server's store retention (#14 item 18): applied to every store it opens, at open and then in the background.</summary>
public sealed class RetentionOptionTests
{
    [Fact]
    public async Task A_store_opened_by_a_server_with_a_retention_is_trimmed_at_open()
    {
        var first = await ServerHost.StartAsync();
        var dataRoot = first.DataRoot;
        var ids = new List<string>();
        try
        {
            for (var k = 0; k < 3; k++)
                ids.Add((await first.Client.RunAsync($"print \"v\" {k} * 7 + 0.5", storagePath: "kept")).GetProperty("execution_id").GetString()!);
        }
        finally
        {
            first.Client.Dispose();
            await first.App.StopAsync();
            await first.App.DisposeAsync();
        }

        // Reading the history opens the store: the retention runs before the answer is built.
        await using var second = await ServerHost.StartAsync(o =>
        {
            o.DataRoot = dataRoot;
            o.RetentionMaxExecutions = 1;
            o.RetentionMaxBytes = 0;
        });
        var list = await second.Client.GetJsonAsync("api/v1/history?storage_path=kept");
        var left = Assert.Single(list.GetProperty("executions").EnumerateArray());
        Assert.Equal(ids[^1], left.GetProperty("execution_id").GetString());
        var detail = await second.Client.GetJsonAsync($"api/v1/history/{ids[^1]}?storage_path=kept");
        Assert.False(Api.GoalsByName(detail.GetProperty("goals"))["v"].GetProperty("available").GetBoolean(), "the size bound evicted nothing");
    }

    [Fact]
    public async Task Retention_options_out_of_range_are_refused_at_start()
    {
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => ServerHost.StartAsync(o =>
        {
            o.RetentionIntervalSeconds = 0.1;
            o.RetentionMaxBytes = -1;
        }));
        Assert.Contains("RetentionIntervalSeconds", e.Message);
        Assert.Contains("RetentionMaxBytes", e.Message);
    }
}
