using System.Globalization;
using System.Net;
using System.Net.Sockets;
using VoxScheduler.Cluster.Client;
using VoxScheduler.Server;

namespace VoxScheduler.Tests;

/// <summary>
/// A real cluster for the REST server's cluster tests: Redis on loopback, one silo process
/// (<c>VoxScheduler.Silo.dll</c>) joined through it with the PostgreSQL server of
/// <see cref="ServerPostgresFixture"/> as its store, and a server connected to it as a cluster
/// client. The postgres backend is registered once per process with one connection string, so
/// the postgres tests and the cluster tests share one database (and one collection); the cluster
/// is started by the first cluster test. A test that needs other server options starts its own
/// server on the same cluster (<see cref="StartServerAsync"/>).
/// </summary>
public sealed class ServerCluster : IAsyncDisposable
{
    /// <summary>Worker slots of the silo.</summary>
    public const int Slots = 4;

    private HostProcess? _silo;
    private ServerHost? _server;

    private ServerCluster(ServerPostgresFixture postgres)
    {
        Postgres = postgres.Server;
        ConnectionFile = postgres.ConnectionFile;
    }

    public PostgresServer Postgres { get; }

    public RedisServer Redis { get; private set; } = null!;

    public string ClusterId { get; } = "rest-" + Guid.NewGuid().ToString("N")[..10];

    /// <summary>The silo's endpoint (ip:port), as it announced it.</summary>
    public string SiloEndpoint { get; private set; } = string.Empty;

    /// <summary>A file holding the connection string, as an operator gives it with --postgres-file.</summary>
    public string ConnectionFile { get; }

    internal ServerHost Server => _server ?? throw new InvalidOperationException("The server has not started.");

    /// <summary>Starts Redis, the silo and the server; on failure everything started is stopped.</summary>
    public static async Task<ServerCluster> StartAsync(ServerPostgresFixture postgres)
    {
        var cluster = new ServerCluster(postgres);
        try
        {
            await cluster.StartCoreAsync();
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    private async Task StartCoreAsync()
    {
        Redis = await RedisServer.StartAsync();
        (_silo, SiloEndpoint) = await StartSiloAsync(ClusterId);
        // A small compile budget, which the budget test exceeds at once (the tests' other programs stay far below it).
        _server = await StartServerAsync(o =>
        {
            o.MaxConcurrentExecutions = 32;
            o.MaxCompileNodes = 30_000;
        });
    }

    /// <summary>A server that is a client of this cluster (its PostgreSQL connection string from a file), with <paramref name="configure"/> on top.</summary>
    internal Task<ServerHost> StartServerAsync(Action<ServerOptions>? configure = null) => StartServerAsync(ClusterId, configure);

    /// <summary>A server that is a client of cluster <paramref name="clusterId"/> on this Redis and database.</summary>
    internal Task<ServerHost> StartServerAsync(string clusterId, Action<ServerOptions>? configure) =>
        ServerHost.StartAsync(o =>
        {
            o.PostgresConnectionFile = ConnectionFile;
            o.ClusterRedis = Redis.Endpoint;
            o.ClusterId = clusterId;
            configure?.Invoke(o);
        });

    /// <summary>Starts a silo process of cluster <paramref name="clusterId"/> on this Redis and database; returns it with its endpoint once it is ready.</summary>
    internal async Task<(HostProcess Process, string Endpoint)> StartSiloAsync(string clusterId)
    {
        var silo = HostProcess.Start(HostProcess.DotnetPath(),
            ["exec", SiloDll, "--cluster-id", clusterId, "--redis", Redis.Endpoint, "--advertise", "127.0.0.1",
             "--silo-port", FreePort().ToString(CultureInfo.InvariantCulture), "--gateway-port", FreePort().ToString(CultureInfo.InvariantCulture),
             "--slots", Slots.ToString(CultureInfo.InvariantCulture), "--postgres-file", ConnectionFile],
            environment: new Dictionary<string, string> { ["DOTNET_gcServer"] = "0" });
        var ready = await silo.WaitForLineAsync(l => l.StartsWith("VoxScheduler silo ready ", StringComparison.Ordinal), TimeSpan.FromSeconds(120));
        if (ready is null)
        {
            var error = silo.Error;
            await silo.DisposeAsync();
            throw new InvalidOperationException($"The silo exited before it was ready:\n{error}");
        }

        return (silo, ready["VoxScheduler silo ready ".Length..].Trim());
    }

    /// <summary>A client of the cluster of its own, to look at the silo from outside the server.</summary>
    internal Task<VoxClusterClient> ConnectAsync() =>
        VoxClusterClient.ConnectAsync(new ClusterConnectionOptions { ClusterId = ClusterId, Redis = Redis.Endpoint });

    private static string SiloDll
    {
        get
        {
            var path = Path.Combine(RepoPaths.Root, "src", "Cluster", "Silo", "bin", RepoPaths.Configuration, "net10.0", "VoxScheduler.Silo.dll");
            return File.Exists(path) ? path : throw new InvalidOperationException($"VoxScheduler.Silo.dll was not built at {path}.");
        }
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
        if (_silo is not null) await _silo.DisposeAsync();
        if (Redis is not null) await Redis.DisposeAsync();
    }
}
