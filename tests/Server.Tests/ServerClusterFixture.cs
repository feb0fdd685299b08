using System.Globalization;
using System.Net;
using System.Net.Sockets;
using VoxScheduler.Cluster.Client;
using VoxScheduler.Server;

namespace VoxScheduler.Tests;

/// <summary>
/// A real cluster for the REST server's cluster tests: PostgreSQL and Redis on loopback, one silo
/// process (<c>VoxScheduler.Silo.dll</c>) joined through Redis, and a server connected to it as a
/// cluster client. Shared by the collection; a test that needs other server options starts its
/// own server on the same cluster (<see cref="StartServerAsync"/>).
/// </summary>
public sealed class ServerClusterFixture : IAsyncLifetime
{
    /// <summary>Worker slots of the silo.</summary>
    public const int Slots = 4;

    private HostProcess? _silo;
    private ServerHost? _server;

    public PostgresServer Postgres { get; private set; } = null!;

    public RedisServer Redis { get; private set; } = null!;

    public string ClusterId { get; } = "rest-" + Guid.NewGuid().ToString("N")[..10];

    /// <summary>The silo's endpoint (ip:port), as it announced it.</summary>
    public string SiloEndpoint { get; private set; } = string.Empty;

    /// <summary>A file holding the connection string, as an operator gives it with --postgres-file.</summary>
    public string ConnectionFile { get; private set; } = null!;

    internal ServerHost Server => _server ?? throw new InvalidOperationException("The server has not started.");

    public async Task InitializeAsync()
    {
        var postgres = PostgresServer.StartAsync();
        var redis = RedisServer.StartAsync();
        try
        {
            await Task.WhenAll(postgres, redis);
        }
        finally
        {
            if (postgres.IsCompletedSuccessfully) Postgres = postgres.Result;
            if (redis.IsCompletedSuccessfully) Redis = redis.Result;
        }

        ConnectionFile = Path.Combine(Path.GetTempPath(), $"vox-pg-connection-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(ConnectionFile, Postgres.ConnectionString + Environment.NewLine);
        _silo = HostProcess.Start(HostProcess.DotnetPath(),
            ["exec", SiloDll, "--cluster-id", ClusterId, "--redis", Redis.Endpoint, "--advertise", "127.0.0.1",
             "--silo-port", FreePort().ToString(CultureInfo.InvariantCulture), "--gateway-port", FreePort().ToString(CultureInfo.InvariantCulture),
             "--slots", Slots.ToString(CultureInfo.InvariantCulture), "--postgres-file", ConnectionFile],
            environment: new Dictionary<string, string> { ["DOTNET_gcServer"] = "0" });
        var ready = await _silo.WaitForLineAsync(l => l.StartsWith("VoxScheduler silo ready ", StringComparison.Ordinal), TimeSpan.FromSeconds(120))
            ?? throw new InvalidOperationException($"The silo exited before it was ready:\n{_silo.Error}");
        SiloEndpoint = ready["VoxScheduler silo ready ".Length..].Trim();
        // A small compile budget, which the budget test exceeds at once (the tests' other programs stay far below it).
        _server = await StartServerAsync(o =>
        {
            o.MaxConcurrentExecutions = 32;
            o.MaxCompileNodes = 30_000;
        });
    }

    /// <summary>A server that is a client of this cluster (its PostgreSQL connection string from a file), with <paramref name="configure"/> on top.</summary>
    internal Task<ServerHost> StartServerAsync(Action<ServerOptions>? configure = null) =>
        ServerHost.StartAsync(o =>
        {
            o.PostgresConnectionFile = ConnectionFile;
            o.ClusterRedis = Redis.Endpoint;
            o.ClusterId = ClusterId;
            configure?.Invoke(o);
        });

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

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
        if (_silo is not null) await _silo.DisposeAsync();
        if (ConnectionFile is not null) File.Delete(ConnectionFile);
        if (Redis is not null) await Redis.DisposeAsync();
        if (Postgres is not null) await Postgres.DisposeAsync();
    }
}

[CollectionDefinition("server-cluster")]
public sealed class ServerClusterCollection : ICollectionFixture<ServerClusterFixture>;
