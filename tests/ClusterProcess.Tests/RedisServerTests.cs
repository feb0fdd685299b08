using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace VoxScheduler.Tests.ClusterProcess;

/// <summary>
/// The Redis test fixture itself: a real server on a free loopback port, without persistence,
/// stopped on dispose, and the servers of dead test hosts swept by the next start.
/// Category=Cluster: build.ps1 leaves it out (and says why) where redis-server is missing,
/// unless CI requires it.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class RedisServerTests
{
    [Fact]
    public async Task Serves_on_loopback_without_persistence_and_stops_on_dispose()
    {
        string folder;
        int pid;
        int port;
        await using (var server = await RedisServer.StartAsync())
        {
            port = server.Port;
            pid = server.ProcessId;
            Assert.Equal($"127.0.0.1:{port}", server.Endpoint);
            Assert.NotEqual(6379, port);
            Assert.Equal("+OK", await server.SendAsync("SET vox-key vox-value"));
            Assert.Equal("$9", await server.SendAsync("GET vox-key"));
            // No snapshots, no append-only file: a test server never writes the data set to disk.
            var info = await InfoAsync(server.Port, "persistence");
            Assert.Contains("aof_enabled:0", info, StringComparison.Ordinal);
            Assert.Equal("", await ConfigValueAsync(server.Port, "save"));
            folder = await ConfigValueAsync(server.Port, "dir");
            Assert.StartsWith(Path.Combine(Path.GetTempPath(), "vox-redis-"), folder, StringComparison.Ordinal);
            Assert.Empty(Directory.GetFiles(folder, "*.rdb"));
        }

        Assert.True(ProcessGone(pid), "the server process is still running after dispose");
        Assert.False(Directory.Exists(folder), "the server's folder is left behind");
        using var probe = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(() => probe.ConnectAsync(IPAddress.Loopback, port));
    }

    [Fact]
    public async Task A_start_stops_the_server_of_a_test_host_that_died_without_disposing_it()
    {
        var binary = RedisServer.FindBinary(out var reason) ?? throw new InvalidOperationException(reason);
        // An owner that has ended: a short process, waited for.
        using var ended = Process.Start(new ProcessStartInfo("dotnet", "--version") { RedirectStandardOutput = true })!;
        await ended.StandardOutput.ReadToEndAsync();
        await ended.WaitForExitAsync();
        var folder = Path.Combine(Path.GetTempPath(), "vox-redis-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "owner.pid"), ended.Id.ToString(CultureInfo.InvariantCulture));
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var info = new ProcessStartInfo(binary) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", folder, "--pidfile", Path.Combine(folder, "redis.pid") })
        {
            info.ArgumentList.Add(a);
        }

        using var orphan = Process.Start(info)!;
        try
        {
            // Until the pid file is written the sweep cannot know the server: wait for it (bounded).
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (!File.Exists(Path.Combine(folder, "redis.pid")))
            {
                Assert.True(DateTime.UtcNow < deadline && !orphan.HasExited, "the orphan server did not write its pid file");
                await Task.Delay(50);
            }

            await using (await RedisServer.StartAsync())
            {
                await orphan.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
                Assert.True(orphan.HasExited);
                Assert.False(Directory.Exists(folder), "the dead host's folder is left behind");
            }
        }
        finally
        {
            if (!orphan.HasExited) orphan.Kill();
        }
    }

    [Fact]
    public async Task A_live_hosts_server_is_never_swept()
    {
        await using var first = await RedisServer.StartAsync();
        await using var second = await RedisServer.StartAsync();
        Assert.True(await first.TryPingAsync(), "starting a second server stopped the first (its owner, this host, is alive)");
        Assert.True(await second.TryPingAsync());
        Assert.NotEqual(first.Port, second.Port);
    }

    private static async Task<string> InfoAsync(int port, string section)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        using var reader = new StreamReader(client.GetStream());
        await client.GetStream().WriteAsync("INFO "u8.ToArray().Concat(System.Text.Encoding.ASCII.GetBytes(section + "\r\n")).ToArray());
        var header = await reader.ReadLineAsync() ?? string.Empty;
        var length = int.Parse(header[1..], CultureInfo.InvariantCulture);
        var buffer = new char[length];
        var read = 0;
        while (read < length) read += await reader.ReadAsync(buffer.AsMemory(read));
        return new string(buffer);
    }

    /// <summary>The value of one config parameter (CONFIG GET replies with an array of name and value).</summary>
    private static async Task<string> ConfigValueAsync(int port, string name)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        using var reader = new StreamReader(client.GetStream());
        await client.GetStream().WriteAsync(System.Text.Encoding.ASCII.GetBytes($"CONFIG GET {name}\r\n"));
        var lines = new List<string>();
        for (var i = 0; i < 5; i++) lines.Add(await reader.ReadLineAsync() ?? string.Empty);
        Assert.Equal("*2", lines[0]);
        Assert.Equal(name, lines[2]);
        return lines[4];
    }

    private static bool ProcessGone(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return p.HasExited;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }
}
