using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using VoxScheduler.Cluster.Hosting;
using VoxScheduler.Cluster.Silo;

// A VoxScheduler silo: worker slots and a coordinator over the shared PostgreSQL store.
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
