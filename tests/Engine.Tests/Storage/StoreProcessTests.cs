using System.Diagnostics;
using Microsoft.Data.Sqlite;
using VoxScheduler.Storage;
using VoxScheduler.VoxHost;

namespace VoxScheduler.Tests.Storage;

/// <summary>Real processes on one store: two writers at once, and a writer killed mid-write.</summary>
public sealed class StoreProcessTests : IDisposable
{
    private const int Size = 200_000;

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("sqlite")]
    [InlineData("filesystem")]
    [InlineData("hybrid")]
    public async Task Two_processes_write_one_store_at_once_without_errors(string backend)
    {
        var path = _temp.Combine("shared");
        // Overlapping ranges: both processes store results 20..39, each stores 20 of its own.
        await using var first = HostProcess.StartVoxHost("store-loop", "--backend", backend, "--path", path, "--start", "0", "--count", "40", "--size", "30000");
        await using var second = HostProcess.StartVoxHost("store-loop", "--backend", backend, "--path", path, "--start", "20", "--count", "40", "--size", "30000");
        await using (var reader = await StoreFactory.OpenAsync(backend, path, LoopOptions))
        {
            // This process reads while the two others write.
            for (var round = 0; round < 20; round++)
            {
                foreach (var meta in await reader.ListAsync().ToListAsync())
                {
                    var i = (long)(double)meta.Metadata!["i"]!;
                    Assert.Equal(LoopData.Bytes(i, 30000), await reader.RetrieveAsync(meta.NodeId));
                }
            }
        }

        foreach (var host in new[] { first, second })
        {
            var code = await host.WaitForExitAsync(TimeSpan.FromSeconds(60));
            Assert.True(code == 0, $"VoxHost exited with {code}; stderr: {host.Error}");
        }

        await using var store = await StoreFactory.OpenAsync(backend, path, LoopOptions);
        for (var i = 0; i < 60; i++) Assert.Equal(LoopData.Bytes(i, 30000), await store.RetrieveAsync(LoopData.Id(i)));
        Assert.Equal(60, (await store.ListAsync().ToListAsync()).Count);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("filesystem")]
    [InlineData("hybrid")]
    public async Task A_writer_killed_mid_write_leaves_a_store_that_opens_and_verifies(string backend)
    {
        var path = _temp.Combine("killed");
        await using (var host = HostProcess.StartVoxHost("store-loop", "--backend", backend, "--path", path, "--count", "100000", "--size", Size.ToString(System.Globalization.CultureInfo.InvariantCulture)))
        {
            Assert.NotNull(await host.WaitForLineAsync(line => line == "stored 12", TimeSpan.FromSeconds(60)));
            await host.KillHardAsync();
        }

        await using var store = await StoreFactory.OpenAsync(backend, path, LoopOptions);
        var found = 0;
        await foreach (var meta in store.ListAsync())
        {
            var i = (long)(double)meta.Metadata!["i"]!;
            Assert.Equal(LoopData.Bytes(i, Size), await store.RetrieveAsync(meta.NodeId));
            found++;
        }

        Assert.InRange(found, 13, 100000);
        for (var i = 0; i <= 12; i++) Assert.True(await store.ExistsAsync(LoopData.Id(i)));

        if (backend != "filesystem")
        {
            // The killed process's half-written streamed result was collected on open.
            await using var connection = new SqliteConnection($"Data Source={Path.Combine(path, SqliteResultStore.DatabaseFileName)};Pooling=False");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM pending_blobs";
            Assert.Equal(0L, command.ExecuteScalar());
            command.CommandText = "SELECT count(*) FROM chunks WHERE (chunk_key >> 24) NOT IN (SELECT blob_id FROM results WHERE blob_id IS NOT NULL)";
            Assert.Equal(0L, command.ExecuteScalar());
        }
    }

    private static StoreOptions LoopOptions => new() { StreamingThreshold = 256 * 1024, InlineThreshold = 4096 };
}
