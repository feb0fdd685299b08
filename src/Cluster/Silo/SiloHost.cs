using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using VoxScheduler.Cluster.Hosting;

using VoxScheduler.Operations;

namespace VoxScheduler.Cluster.Silo;

/// <summary>
/// The silo process's whole life (command line, host, ready line, graceful stop): the silo
/// executable's entry point, and the benchmark's silo processes, which run this same host with
/// the benchmark's operation added to every silo's registry.
/// </summary>
public static class SiloHost
{
    /// <summary>Runs a silo until SIGTERM or Ctrl+C; returns the process exit code (0, 1 when it cannot start, 2 for a bad command line).</summary>
    /// <param name="args">The silo's command line (SiloCommandLine.Usage).</param>
    /// <param name="configureOperations">Operations added to the silo's registry (every silo of a cluster must add the same).</param>
    public static async Task<int> RunAsync(string[] args, Action<OperationRegistry>? configureOperations = null)
    {
        SiloCommandLine options;
        string connection;
        try
        {
            if (args is ["--help"] or ["-h"])
            {
                Console.WriteLine(SiloCommandLine.Usage);
                return 0;
            }

            options = SiloCommandLine.Parse(args);
            connection = options.ConnectionString();
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"VoxScheduler.Silo: {e.Message}");
            Console.Error.WriteLine(SiloCommandLine.Usage);
            return 2;
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Args = [] });
        // stdout carries only the ready line (scripts wait for it); the log goes to stderr.
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(30));
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(cluster =>
            {
                cluster.ClusterId = options.ClusterId;
                cluster.ServiceId = options.ServiceId;
            });
            if (options.Redis is { } redis)
            {
                silo.UseRedisClustering(redis);
                if (options.Advertise is { } address) silo.ConfigureEndpoints(address, options.SiloPort, options.GatewayPort, listenOnAnyHostAddress: true);
                else silo.ConfigureEndpoints(options.SiloPort, options.GatewayPort, listenOnAnyHostAddress: true);
            }
            else
            {
                var primary = options.PrimaryPort is { } port && port != options.SiloPort ? new IPEndPoint(IPAddress.Loopback, port) : null;
                silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, primary, options.ServiceId, options.ClusterId);
            }

            silo.AddVoxScheduler(new VoxSiloOptions
            {
                Slots = options.Slots, MaxBatch = options.MaxBatch, CacheBytes = options.CacheMegabytes * 1024 * 1024, PostgresConnectionString = connection,
                ConfigureOperations = configureOperations,
            });
        });

        using var host = builder.Build();
        try
        {
            await host.StartAsync();
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"VoxScheduler.Silo: the silo did not start: {e.Message}");
            return 1;
        }

        var silo = host.Services.GetRequiredService<ILocalSiloDetails>();
        Console.Out.WriteLine($"VoxScheduler silo ready {silo.SiloAddress.Endpoint}");
        Console.Out.Flush();
        await host.WaitForShutdownAsync();
        return 0;
    }
}
