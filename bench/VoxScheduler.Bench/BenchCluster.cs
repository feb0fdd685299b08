using System.Globalization;
using System.Net;
using System.Net.Sockets;
using VoxScheduler.Cluster.Client;
using VoxScheduler.Tests;
using VoxScheduler.Tests.Support;

namespace VoxScheduler.Bench;

/// <summary>
/// A cluster on loopback for the <c>cluster</c> mode: silo processes (this benchmark's own
/// executable in its <c>cluster-silo</c> mode: the silo executable's host with <c>bench.add</c>
/// registered) joined through a real Redis, over a real PostgreSQL, both started by the
/// benchmark (the test fixtures' servers: Debian's binaries, a temporary folder, free ports).
/// </summary>
internal sealed class BenchCluster : IAsyncDisposable
{
    private readonly List<Silo> _silos = [];

    private BenchCluster(PostgresServer postgres, RedisServer redis, string clusterId, int slots, int maxBatch)
    {
        Postgres = postgres;
        Redis = redis;
        ClusterId = clusterId;
        Slots = slots;
        MaxBatch = maxBatch;
    }

    /// <summary>A silo process, its ports and the address it announced.</summary>
    public sealed record Silo(HostProcess Process, int SiloPort, int GatewayPort, string Address);

    public PostgresServer Postgres { get; }

    public RedisServer Redis { get; }

    public string ClusterId { get; }

    public int Slots { get; }

    public int MaxBatch { get; }

    public IReadOnlyList<Silo> Silos => _silos;

    /// <summary>Copy each silo's log (its stderr) to the benchmark's stderr when the silos stop (--silo-log).</summary>
    public static bool ShowLogs { get; set; }

    /// <summary>Starts <paramref name="silos"/> silos of a fresh cluster id over the given servers and waits until each is ready.</summary>
    public static async Task<BenchCluster> StartAsync(PostgresServer postgres, RedisServer redis, int silos, int slots, int maxBatch)
    {
        var cluster = new BenchCluster(postgres, redis, "bench-" + Guid.NewGuid().ToString("N")[..10], slots, maxBatch);
        try
        {
            // One after another: the first silo's start is the cluster's, the others join it.
            for (var i = 0; i < silos; i++) await cluster.StartSiloAsync();
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    private async Task StartSiloAsync()
    {
        var (siloPort, gatewayPort) = (FreePort(), FreePort());
        var process = HostProcess.Start(HostProcess.DotnetPath(),
            ["exec", typeof(BenchCluster).Assembly.Location, "cluster-silo", "--cluster-id", ClusterId, "--redis", Redis.Endpoint, "--advertise", "127.0.0.1",
             "--silo-port", Text(siloPort), "--gateway-port", Text(gatewayPort), "--slots", Text(Slots), "--max-batch", Text(MaxBatch)],
            // As the silo executable runs (its project turns dynamic PGO off), and set for silos that share cores (three silos and
            // PostgreSQL on two here): workstation GC, and thread-pool threads that sleep at once when idle instead of spinning
            // first. With spinning, 10 ms nodes (a call each) cost the silos 0.7-0.9 ms of CPU per node; without, about half.
            environment: new Dictionary<string, string>
            {
                ["VOXSCHEDULER_POSTGRES"] = Postgres.ConnectionString, ["DOTNET_gcServer"] = "0", ["DOTNET_TieredPGO"] = "0",
                ["DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"] = "0",
            });
        var ready = await process.WaitForLineAsync(l => l.StartsWith("VoxScheduler silo ready ", StringComparison.Ordinal), TimeSpan.FromSeconds(120));
        if (ready is null)
        {
            await process.DisposeAsync();
            throw new InvalidOperationException($"A silo exited before it was ready:\n{process.Error}");
        }

        _silos.Add(new Silo(process, siloPort, gatewayPort, ready["VoxScheduler silo ready ".Length..].Trim()));
    }

    /// <summary>A client of the cluster through Redis, as a remote user connects.</summary>
    public Task<VoxClusterClient> ConnectAsync() =>
        VoxClusterClient.ConnectAsync(new ClusterConnectionOptions { ClusterId = ClusterId, Redis = Redis.Endpoint });

    /// <summary>The silo whose address starts the coordinator's (a silo address is <c>ip:port@generation</c>).</summary>
    public Silo SiloOf(string coordinator) =>
        _silos.FirstOrDefault(s => coordinator.StartsWith(s.Address + "@", StringComparison.Ordinal) || coordinator == s.Address)
        ?? throw new InvalidOperationException($"The coordinator {coordinator} is none of the silos {string.Join(", ", _silos.Select(s => s.Address))}.");

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        // SIGTERM-less stop is fine here: the servers and the cluster id are thrown away after the run.
        foreach (var silo in _silos)
        {
            if (ShowLogs) Console.Error.WriteLine($"--- silo {silo.Address} log ---\n{silo.Process.Error}");
            await silo.Process.DisposeAsync();
        }

        _silos.Clear();
    }
}
