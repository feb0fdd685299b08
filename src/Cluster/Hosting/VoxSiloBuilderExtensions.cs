using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using VoxScheduler.Cluster.Coordinator;
using VoxScheduler.Cluster.Placement;
using VoxScheduler.Cluster.Postgres;
using VoxScheduler.Cluster.Worker;
using VoxScheduler.Operations;
using VoxScheduler.Operations.Builtins;

namespace VoxScheduler.Cluster.Hosting;

/// <summary>Makes an Orleans silo a VoxScheduler silo: worker slots, the coordinator (the scheduler inside the silo) and the shared store.</summary>
public static class VoxSiloBuilderExtensions
{
    /// <summary>
    /// Adds VoxScheduler to <paramref name="silo"/> (clustering and endpoints are the caller's:
    /// Redis, localhost or the test cluster). Registers the <c>postgres</c> store backend too.
    /// </summary>
    public static ISiloBuilder AddVoxScheduler(this ISiloBuilder silo, VoxSiloOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(silo);
        options ??= new VoxSiloOptions();
        options.Validate();
        PostgresBackend.Register(options.PostgresConnectionString);
#pragma warning disable ORLEANSEXP003 // experimental: the strongly consistent grain directory
        // A silo's death must not lose the directory entries of grains living on other silos (the
        // default directory partitions die with their silo, and the next call to an execution
        // grain would activate an empty twin of it): this directory hands ranges over on membership changes.
        silo.AddDistributedGrainDirectory();
#pragma warning restore ORLEANSEXP003
        silo.Configure<ClusterMembershipOptions>(membership =>
        {
            membership.ProbeTimeout = options.ProbeTimeout;
            membership.NumMissedProbesLimit = options.NumMissedProbesLimit;
            // Stale after two missed heartbeats: a dead silo's entry stops holding up a replacement after 2 × IAmAlivePeriod.
            membership.IAmAliveTablePublishTimeout = options.IAmAlivePeriod;
            membership.NumMissedTableIAmAliveLimit = 2;
        });
        silo.Services.AddPlacementDirector<SiloBoundPlacement, SiloBoundPlacementDirector>();
        silo.Services.AddSingleton<OperationRegistry>(_ =>
        {
            var registry = BuiltinOperations.CreateRegistry();
            options.ConfigureOperations?.Invoke(registry);
            return registry;
        });
        silo.Services.AddSingleton(services => new NodeWorker(services.GetRequiredService<OperationRegistry>(),
            new SiloWorkerOptions(options.Slots, options.CacheBytes, options.PostgresConnectionString, options.MaxIdleStores),
            services.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToParsableString()));
        // Ends the history records of coordinators the cluster declares dead (killed silos write nothing).
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(services => new LostCoordinatorWatch(
            services.GetRequiredService<IClusterMembershipService>(), options.PostgresConnectionString, services.GetRequiredService<ILogger<LostCoordinatorWatch>>()));
        silo.Services.AddSingleton<CoordinatorLifetime>();
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(services => services.GetRequiredService<CoordinatorLifetime>());
        silo.Services.AddSingleton(services => new ClusterCoordinator(services.GetRequiredService<IGrainFactory>(),
            services.GetRequiredService<IClusterMembershipService>(), services.GetRequiredService<ILocalSiloDetails>(),
            services.GetRequiredService<OperationRegistry>(), new CoordinatorOptions(options.MaxBatch, options.PostgresConnectionString, options.MaxIdleStores),
            services.GetRequiredService<ILogger<ClusterCoordinator>>(), services.GetRequiredService<CoordinatorLifetime>()));
        return silo;
    }
}
