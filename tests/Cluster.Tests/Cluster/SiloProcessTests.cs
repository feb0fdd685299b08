using System.Net;
using System.Net.Sockets;
using VoxScheduler.Cluster.Client;
using VoxScheduler.Scheduling;
using VoxScheduler.Values;

namespace VoxScheduler.Tests.Cluster;

/// <summary>
/// The silo executable's contract, in a real process: the ready line on stdout, localhost
/// clustering on the given ports, work from a client, a graceful stop on SIGTERM, and clear
/// refusals of a bad command line.
/// </summary>
[Collection("cluster")]
[Trait("Category", "Postgres")]
public sealed class SiloProcessTests(ClusterFixture fixture)
{
    private static string SiloDll
    {
        get
        {
            var path = Path.Combine(RepoPaths.Root, "src", "Cluster", "Silo", "bin", RepoPaths.Configuration, "net10.0", "VoxScheduler.Silo.dll");
            return File.Exists(path) ? path : throw new InvalidOperationException($"VoxScheduler.Silo.dll was not built at {path}.");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Fact]
    public async Task A_silo_process_says_it_is_ready_runs_a_program_and_stops_on_SIGTERM()
    {
        var (siloPort, gatewayPort) = (FreePort(), FreePort());
        var clusterId = "process-" + Guid.NewGuid().ToString("N")[..8];
        await using var silo = HostProcess.Start(HostProcess.DotnetPath(),
            ["exec", SiloDll, "--cluster-id", clusterId, "--silo-port", $"{siloPort}", "--gateway-port", $"{gatewayPort}", "--slots", "3"],
            environment: new Dictionary<string, string> { ["VOXSCHEDULER_POSTGRES"] = fixture.Server.ConnectionString });

        var ready = await silo.WaitForLineAsync(l => l.StartsWith("VoxScheduler silo ready ", StringComparison.Ordinal), TimeSpan.FromSeconds(90));
        Assert.True(ready is not null, silo.Tail());
        Assert.Equal($"VoxScheduler silo ready 127.0.0.1:{siloPort}", ready);

        await using (var client = await VoxClusterClient.ConnectAsync(new ClusterConnectionOptions { ClusterId = clusterId, GatewayPorts = [gatewayPort] }))
        {
            var silos = await client.GetSilosAsync();
            var only = Assert.Single(silos, s => s.Status == "Active");
            Assert.Equal(3, only.Slots);
            var ns = ClusterFixture.NewNamespace("process");
            var result = await (await client.SubmitProgramAsync("let a = 20 + 1\nprint \"answer\" a * 2", new ClusterSubmitOptions { StoreNamespace = ns }))
                .WaitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(ExecutionStatus.Completed, result.Status);
            await using var store = await fixture.OpenStoreAsync(ns);
            Assert.Equal(42.0, ValueCodec.Decode((await store.RetrieveAsync(result.Goals[0].NodeId))!));
        }

        Assert.DoesNotContain(silo.Output, l => !l.StartsWith("VoxScheduler silo ready ", StringComparison.Ordinal)); // stdout: the ready line only
        if (OperatingSystem.IsWindows()) return; // no SIGTERM there
        using (var term = System.Diagnostics.Process.Start("kill", ["-TERM", $"{silo.Id}"])) await term.WaitForExitAsync();
        Assert.Equal(0, await silo.WaitForExitAsync(TimeSpan.FromSeconds(60)));
    }

    [Theory]
    [InlineData("--slots 2", "--cluster-id is required")]
    [InlineData("--cluster-id c --slots 0", "--slots '0' is not a whole number")]
    [InlineData("--cluster-id c --colour blue", "Unknown option '--colour'")]
    [InlineData("--cluster-id c --postgres-file /nonexistent/vox-pg", "--postgres-file '/nonexistent/vox-pg' cannot be read")]
    public async Task A_bad_command_line_is_refused_naming_the_problem(string arguments, string message)
    {
        await using var silo = HostProcess.Start(HostProcess.DotnetPath(), ["exec", SiloDll, .. arguments.Split(' ')],
            environment: new Dictionary<string, string> { ["VOXSCHEDULER_POSTGRES"] = "Host=127.0.0.1" });

        Assert.Equal(2, await silo.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains(message, silo.Error);
    }

    [Fact]
    public async Task Without_a_connection_string_the_silo_says_where_to_put_one()
    {
        await using var silo = HostProcess.Start(HostProcess.DotnetPath(), ["exec", SiloDll, "--cluster-id", "c"],
            environment: new Dictionary<string, string> { ["VOXSCHEDULER_POSTGRES"] = "" });

        Assert.Equal(2, await silo.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("VOXSCHEDULER_POSTGRES", silo.Error);
        Assert.Contains("--postgres-file", silo.Error);
    }
}
