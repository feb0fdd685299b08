using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace VoxScheduler.Tests;

/// <summary>
/// A real PostgreSQL server for the tests, started from Debian's binaries in a temporary folder on
/// a free loopback port (socket in that folder, no main cluster, nothing on the default port) and
/// stopped at the end. PostgreSQL refuses to run as root, so as root the folder is given to the
/// <c>postgres</c> user and the server runs through <c>runuser</c>. Durability is off (fsync,
/// synchronous commit): the tests check what the store does, not what the disk does.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    /// <summary>Set (to 1) by CI: a missing server is a failure there, never a quiet skip.</summary>
    public const string RequireVariable = "VOXSCHEDULER_REQUIRE_POSTGRES";

    private readonly string _folder;
    private readonly string _bin;
    private readonly bool _asPostgresUser;
    private readonly Process _server;

    private PostgresServer(string folder, string bin, bool asPostgresUser, Process server, int port)
    {
        _folder = folder;
        _bin = bin;
        _asPostgresUser = asPostgresUser;
        _server = server;
        ConnectionString = $"Host=127.0.0.1;Port={port};Username=vox;Database=postgres;Maximum Pool Size=40;Timeout=30;Command Timeout=120";
    }

    public string ConnectionString { get; }

    /// <summary>The server's process (postgres, or runuser starting it): the root of its process tree (the benchmarks measure its CPU).</summary>
    public int ProcessId => _server.Id;

    /// <summary>The folder of initdb and postgres, or null with the reason when this machine has none.</summary>
    public static string? FindBinaries(out string reason)
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable("VOXSCHEDULER_PG_BIN") is { Length: > 0 } fromVariable) candidates.Add(fromVariable);
        const string Debian = "/usr/lib/postgresql";
        if (Directory.Exists(Debian))
        {
            candidates.AddRange(Directory.GetDirectories(Debian)
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
                .Select(d => Path.Combine(d, "bin")));
        }

        foreach (var candidate in candidates)
        {
            if (File.Exists(Path.Combine(candidate, "initdb")) && File.Exists(Path.Combine(candidate, "postgres")))
            {
                reason = string.Empty;
                return candidate;
            }
        }

        reason = "no PostgreSQL server binaries (Debian: apt-get install postgresql; .ci/run installs it)";
        return null;
    }

    public static async Task<PostgresServer> StartAsync()
    {
        var bin = FindBinaries(out var reason) ?? throw new InvalidOperationException("Cannot start PostgreSQL for the tests: " + reason);
        var asPostgresUser = Environment.UserName == "root";
        await StopAbandonedAsync(bin, asPostgresUser);
        var folder = Path.Combine(Path.GetTempPath(), "vox-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        // Which test host owns this server: a later start stops it if that process is gone (a crashed host never disposes its fixture).
        await File.WriteAllTextAsync(Path.Combine(folder, OwnerFile), Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (asPostgresUser) await RunAsync("chown", ["postgres", folder]);
        var data = Path.Combine(folder, "data");
        await RunAsync(Tool(bin, "initdb", asPostgresUser, out var initdbArgs), [.. initdbArgs, "-D", data, "-A", "trust", "-U", "vox", "-E", "UTF8", "--no-sync", "--no-instructions"]);
        var port = FreePort();
        var start = new ProcessStartInfo(Tool(bin, "postgres", asPostgresUser, out var postgresArgs))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in postgresArgs) start.ArgumentList.Add(a);
        foreach (var a in new[]
                 {
                     "-D", data, "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-k", folder, "-h", "127.0.0.1",
                     "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=200",
                 })
        {
            start.ArgumentList.Add(a);
        }

        var server = Process.Start(start) ?? throw new InvalidOperationException("postgres did not start");
        server.OutputDataReceived += (_, _) => { };
        server.ErrorDataReceived += (_, _) => { };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        var instance = new PostgresServer(folder, bin, asPostgresUser, server, port);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(instance.ConnectionString);
                await connection.OpenAsync();
                return instance;
            }
            catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException)
            {
                if (server.HasExited || DateTime.UtcNow > deadline)
                {
                    await instance.DisposeAsync();
                    throw new InvalidOperationException($"PostgreSQL did not accept connections on port {port}: {e.Message}");
                }

                await Task.Delay(100);
            }
        }
    }

    private const string OwnerFile = "owner.pid";

    /// <summary>Stops and removes the servers of test hosts that ended without disposing them; never touches a live host's server.</summary>
    private static async Task StopAbandonedAsync(string bin, bool asPostgresUser)
    {
        foreach (var folder in Directory.EnumerateDirectories(Path.GetTempPath(), "vox-pg-*"))
        {
            var ownerPath = Path.Combine(folder, OwnerFile);
            if (!File.Exists(ownerPath) || !int.TryParse(await File.ReadAllTextAsync(ownerPath), out var owner) || IsAlive(owner)) continue;
            var data = Path.Combine(folder, "data");
            if (File.Exists(Path.Combine(data, "postmaster.pid")))
            {
                try
                {
                    await RunAsync(Tool(bin, "pg_ctl", asPostgresUser, out var prefix), [.. prefix, "-D", data, "stop", "-m", "immediate", "-w"]);
                }
                catch (InvalidOperationException)
                {
                    // Already stopped: only the folder is left.
                }
            }

            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Another host is sweeping it at the same time.
            }
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

    private static string Tool(string bin, string name, bool asPostgresUser, out string[] prefix)
    {
        var path = Path.Combine(bin, name);
        if (!asPostgresUser)
        {
            prefix = [];
            return path;
        }

        prefix = ["-u", "postgres", "--", path];
        return "runuser";
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string file, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{file} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await error}{await output}");
        }
    }

    /// <summary>Runs one SQL statement on a connection of its own (tests that set the database up or look at it directly).</summary>
    public async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The first column of the first row of one SQL query, on a connection of its own.</summary>
    public async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_server.HasExited)
            {
                // A fast shutdown through pg_ctl; if it cannot, the process is killed.
                try
                {
                    await RunAsync(Tool(_bin, "pg_ctl", _asPostgresUser, out var prefix), [.. prefix, "-D", Path.Combine(_folder, "data"), "stop", "-m", "fast", "-w"]);
                }
                catch (InvalidOperationException)
                {
                    _server.Kill(entireProcessTree: true);
                }

                await _server.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }
        }
        finally
        {
            _server.Dispose();
            try
            {
                Directory.Delete(_folder, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A leftover temp folder is not worth failing a test run.
            }
        }
    }
}
