using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using VoxScheduler.Tests.Infrastructure;

namespace VoxScheduler.Tests.Rest;

/// <summary>
/// Handles come back (issue 14, item 3): every distinct storage_path opens a store (a database,
/// its WAL, a writer thread); a real server process must close idle ones instead of keeping
/// them all, or a few thousand requests exhaust its file descriptors.
/// </summary>
public sealed class RestResourceTests
{
    [Fact]
    public async Task Five_hundred_distinct_store_paths_leave_descriptors_and_threads_near_where_they_started()
    {
        await using var server = await ServerProcess.StartAsync();
        await RunOnPathsAsync(server, "warm", 20);
        var (fdsBefore, threadsBefore) = Resources(server.Process.Id);

        await RunOnPathsAsync(server, "many", 500);
        var (fdsAfter, threadsAfter) = Resources(server.Process.Id);

        // Before the bound: about +5 descriptors and +2 threads per path (+2,500 and +1,000 here).
        Assert.True(fdsAfter <= fdsBefore + 60, $"descriptors {fdsBefore} -> {fdsAfter}");
        Assert.True(threadsAfter <= threadsBefore + 30, $"threads {threadsBefore} -> {threadsAfter}");

        // A store that was closed is reopened on demand: its history is still there.
        var history = await server.Client.GetFromJsonAsync<System.Text.Json.JsonElement>("api/v1/history?storage_path=many-3");
        Assert.Equal(1, history.GetProperty("count").GetInt32());
    }

    private static async Task RunOnPathsAsync(ServerProcess server, string prefix, int count)
    {
        // Four at a time: bounded, and quicker than one after another on a busy machine.
        using var gate = new SemaphoreSlim(4);
        var runs = Enumerable.Range(0, count).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                using var response = await server.Client.PostAsJsonAsync("api/v1/execute-dynamic",
                    new { program = $"print \"x\" {i} + 1", storage_path = $"{prefix}-{i}", async_execution = false });
                var body = await response.Content.ReadAsStringAsync();
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{prefix}-{i}: {(int)response.StatusCode} {body}");
            }
            finally
            {
                gate.Release();
            }
        });
        await Task.WhenAll(runs);
    }

    private static (int Fds, int Threads) Resources(int pid)
    {
        using var process = Process.GetProcessById(pid);
        var fdFolder = $"/proc/{pid}/fd";
        var fds = Directory.Exists(fdFolder) ? Directory.GetFileSystemEntries(fdFolder).Length : process.HandleCount;
        return (fds, process.Threads.Count);
    }
}
