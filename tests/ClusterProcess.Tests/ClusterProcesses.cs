using System.Globalization;
using System.Net;
using System.Net.Sockets;
using VoxScheduler.Cluster.Client;

namespace VoxScheduler.Tests.ClusterProcess;

/// <summary>
/// A cluster as separate processes on loopback: a real PostgreSQL (the shared store), a real
/// Redis (membership) and silo processes (<c>VoxScheduler.Silo.dll</c>) joined through it, each on
/// its own free ports. Everything is stopped on dispose.
/// </summary>
internal sealed class ClusterProcesses : IAsyncDisposable
{
    private readonly List<Silo> _silos = [];

    private ClusterProcesses(PostgresServer postgres, RedisServer redis, string clusterId)
    {
        Postgres = postgres;
        Redis = redis;
        ClusterId = clusterId;
    }

    public PostgresServer Postgres { get; }

    public RedisServer Redis { get; }

    public string ClusterId { get; }

    public IReadOnlyList<Silo> Silos => _silos;

    /// <summary>A silo process and the address it announced.</summary>
    public sealed record Silo(HostProcess Process, int SiloPort, int GatewayPort, string Address);

    /// <summary>The built silo host (a build dependency of this project).</summary>
    public static string SiloDll
    {
        get
        {
            var path = Path.Combine(RepoPaths.Root, "src", "Cluster", "Silo", "bin", RepoPaths.Configuration, "net10.0", "VoxScheduler.Silo.dll");
            return File.Exists(path) ? path : throw new InvalidOperationException($"VoxScheduler.Silo.dll was not built at {path}.");
        }
    }

    /// <summary>Starts PostgreSQL, Redis and <paramref name="silos"/> silos with <paramref name="slots"/> slots each, and waits until every silo is ready.</summary>
    public static async Task<ClusterProcesses> StartAsync(int silos, int slots)
    {
        var postgresTask = PostgresServer.StartAsync();
        var redisTask = RedisServer.StartAsync();
        try
        {
            await Task.WhenAll(postgresTask, redisTask);
        }
        catch
        {
            if (postgresTask.IsCompletedSuccessfully) await postgresTask.Result.DisposeAsync();
            if (redisTask.IsCompletedSuccessfully) await redisTask.Result.DisposeAsync();
            throw;
        }

        var cluster = new ClusterProcesses(postgresTask.Result, redisTask.Result, "proc-" + Guid.NewGuid().ToString("N")[..10]);
        try
        {
            var starting = Enumerable.Range(0, silos).Select(_ => cluster.StartSiloAsync(slots)).ToList();
            await Task.WhenAll(starting);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    /// <summary>Starts one more silo of this cluster (a replacement, say) and returns it once it is ready.</summary>
    public Task<Silo> AddSiloAsync(int slots) => StartSiloAsync(slots);

    private async Task<Silo> StartSiloAsync(int slots)
    {
        var (siloPort, gatewayPort) = (FreePort(), FreePort());
        var process = HostProcess.Start(HostProcess.DotnetPath(),
            ["exec", SiloDll, "--cluster-id", ClusterId, "--redis", Redis.Endpoint, "--advertise", "127.0.0.1",
             "--silo-port", siloPort.ToString(CultureInfo.InvariantCulture), "--gateway-port", gatewayPort.ToString(CultureInfo.InvariantCulture),
             "--slots", slots.ToString(CultureInfo.InvariantCulture)],
            environment: new Dictionary<string, string> { ["VOXSCHEDULER_POSTGRES"] = Postgres.ConnectionString, ["DOTNET_gcServer"] = "0" });
        lock (_silos) _silos.Add(new Silo(process, siloPort, gatewayPort, string.Empty));
        var ready = await process.WaitForLineAsync(l => l.StartsWith("VoxScheduler silo ready ", StringComparison.Ordinal), TimeSpan.FromSeconds(120));
        if (ready is null) throw new InvalidOperationException($"A silo exited before it was ready:\n{process.Error}");
        lock (_silos)
        {
            var index = _silos.FindIndex(s => ReferenceEquals(s.Process, process));
            _silos[index] = _silos[index] with { Address = ready["VoxScheduler silo ready ".Length..].Trim() };
            return _silos[index];
        }
    }

    /// <summary>A client of the cluster through Redis, as a remote user connects.</summary>
    public Task<VoxClusterClient> ConnectAsync() =>
        VoxClusterClient.ConnectAsync(new ClusterConnectionOptions { ClusterId = ClusterId, Redis = Redis.Endpoint });

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var silo in _silos) await silo.Process.DisposeAsync();
        await Redis.DisposeAsync();
        await Postgres.DisposeAsync();
    }
}
