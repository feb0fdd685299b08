using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace VoxScheduler.Tests;

/// <summary>
/// A real Redis server for the cluster tests (Orleans membership), started from Debian's
/// <c>redis-server</c> in a temporary folder on a free loopback port, without persistence
/// (<c>--save "" --appendonly no</c>), and stopped at the end. Redis runs as whoever runs the tests
/// (it does not refuse root). A test host that dies without disposing leaves its server behind;
/// the next start stops those (the owner's pid is kept beside each server, like
/// <c>PostgresServer</c> does), never a live host's.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    /// <summary>Set (to 1) by CI: a missing Redis (or PostgreSQL) is a failure there, never a quiet skip.</summary>
    public const string RequireVariable = "VOXSCHEDULER_REQUIRE_CLUSTER";

    private const string OwnerFile = "owner.pid";
    private const string PidFile = "redis.pid";

    private readonly string _folder;
    private readonly Process _server;
    private readonly StringBuilder _log;

    private RedisServer(string folder, Process server, int port, StringBuilder log)
    {
        _folder = folder;
        _server = server;
        Port = port;
        _log = log;
    }

    /// <summary>The loopback port the server listens on.</summary>
    public int Port { get; }

    /// <summary>The server's address as Orleans' Redis clustering and <c>--redis</c> take it.</summary>
    public string Endpoint => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The server's process id.</summary>
    public int ProcessId => _server.Id;

    /// <summary>True when a missing server must fail the tests (CI), false when they may be skipped with a reason.</summary>
    public static bool Required =>
        Environment.GetEnvironmentVariable(RequireVariable) == "1" || Environment.GetEnvironmentVariable("VOXSCHEDULER_REQUIRE_POSTGRES") == "1";

    /// <summary>The redis-server executable, or null with the reason when this machine has none.</summary>
    public static string? FindBinary(out string reason)
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable("VOXSCHEDULER_REDIS_SERVER") is { Length: > 0 } fromVariable) candidates.Add(fromVariable);
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            candidates.Add(Path.Combine(folder, OperatingSystem.IsWindows() ? "redis-server.exe" : "redis-server"));
        }

        candidates.Add("/usr/bin/redis-server");
        foreach (var candidate in candidates)
        {
            if (File.Exists(candidate))
            {
                reason = string.Empty;
                return candidate;
            }
        }

        reason = "no redis-server (Debian: apt-get install redis-server; .ci/run installs it with tools/install-cluster-deps.sh)";
        return null;
    }

    /// <summary>Starts a server; throws with the reason when it cannot (a missing binary included).</summary>
    public static async Task<RedisServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var binary = FindBinary(out var reason) ?? throw new InvalidOperationException("Cannot start Redis for the tests: " + reason);
        StopAbandoned();
        var folder = Path.Combine(Path.GetTempPath(), "vox-redis-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        // Which test host owns this server: a later start stops it when that process is gone.
        await File.WriteAllTextAsync(Path.Combine(folder, OwnerFile), Environment.ProcessId.ToString(CultureInfo.InvariantCulture), cancellationToken);
        var failures = new List<string>();
        // Another process can take the free port between the probe and the bind: a few tries with new ports.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var port = FreePort();
            var log = new StringBuilder();
            var server = StartProcess(binary, folder, port, log);
            var instance = new RedisServer(folder, server, port, log);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (await instance.TryPingAsync(cancellationToken)) return instance;
                if (server.HasExited || DateTime.UtcNow > deadline)
                {
                    failures.Add($"port {port}: {(server.HasExited ? $"exited with {server.ExitCode}" : "no answer in 30 s")}: {instance.Log.Trim()}");
                    if (!server.HasExited) server.Kill();
                    await server.WaitForExitAsync(cancellationToken);
                    server.Dispose();
                    break;
                }

                // Polling the port while the server starts: there is no other signal to await.
                await Task.Delay(50, cancellationToken);
            }
        }

        TryDeleteFolder(folder);
        throw new InvalidOperationException("Redis did not start: " + string.Join(" | ", failures));
    }

    /// <summary>What the server wrote so far (its log goes to stdout).</summary>
    public string Log
    {
        get
        {
            lock (_log) return _log.ToString();
        }
    }

    /// <summary>True when the server answers PING with PONG.</summary>
    public async Task<bool> TryPingAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return (await SendAsync("PING", cancellationToken)).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is SocketException or IOException or TimeoutException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Sends one inline command and returns the first line of the reply (RESP), e.g. "+OK" or "$5".</summary>
    public async Task<string> SendAsync(string inlineCommand, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Port, timeout.Token);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(inlineCommand + "\r\n"), timeout.Token);
        var reply = new StringBuilder();
        var buffer = new byte[256];
        while (!reply.ToString().Contains("\r\n", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer, timeout.Token);
            if (read == 0) break;
            reply.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        var text = reply.ToString();
        var end = text.IndexOf("\r\n", StringComparison.Ordinal);
        return end < 0 ? text : text[..end];
    }

    private static Process StartProcess(string binary, string folder, int port, StringBuilder log)
    {
        var info = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = folder,
        };
        foreach (var a in new[]
                 {
                     "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--protected-mode", "yes",
                     "--save", string.Empty, "--appendonly", "no", "--dir", folder, "--pidfile", Path.Combine(folder, PidFile),
                     "--daemonize", "no", "--logfile", string.Empty, "--loglevel", "warning",
                 })
        {
            info.ArgumentList.Add(a);
        }

        var server = Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start");
        server.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (log) log.AppendLine(e.Data);
        };
        server.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (log) log.AppendLine(e.Data);
        };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        return server;
    }

    /// <summary>Stops and removes the servers of test hosts that ended without disposing them; never touches a live host's server.</summary>
    private static void StopAbandoned()
    {
        foreach (var folder in Directory.EnumerateDirectories(Path.GetTempPath(), "vox-redis-*"))
        {
            var ownerPath = Path.Combine(folder, OwnerFile);
            try
            {
                if (!File.Exists(ownerPath) || !int.TryParse(File.ReadAllText(ownerPath), out var owner) || IsAlive(owner)) continue;
                var pidPath = Path.Combine(folder, PidFile);
                if (File.Exists(pidPath) && int.TryParse(File.ReadAllText(pidPath).Trim(), out var pid)) KillIfRedis(pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Another host is sweeping it at the same time.
                continue;
            }

            TryDeleteFolder(folder);
        }
    }

    /// <summary>Kills the process only when it still is a redis-server (a recycled pid belongs to someone else).</summary>
    private static void KillIfRedis(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            if (process.HasExited || !process.ProcessName.StartsWith("redis-server", StringComparison.Ordinal)) return;
            process.Kill();
            process.WaitForExit(10_000);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Gone already.
        }
    }

    private static bool IsAlive(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void TryDeleteFolder(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover temp folder is not worth failing a test run.
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_server.HasExited)
            {
                try
                {
                    // The connection closes without a reply when the server shuts down.
                    await SendAsync("SHUTDOWN NOSAVE");
                }
                catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
                {
                    // Not answering: killed below.
                }

                try
                {
                    await _server.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
                }
                catch (TimeoutException)
                {
                    _server.Kill(entireProcessTree: true);
                    await _server.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
                }
            }
        }
        finally
        {
            _server.Dispose();
            TryDeleteFolder(_folder);
        }
    }
}
