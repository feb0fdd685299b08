using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using VoxScheduler.Cluster.Client;
using VoxScheduler.Cluster.Coordinator;
using VoxScheduler.Cluster.Hosting;
using VoxScheduler.Cluster.Postgres;
using VoxScheduler.Storage;

namespace VoxScheduler.Tests.Cluster;

/// <summary>
/// One in-process Orleans cluster of three silos (two worker slots each) over one real PostgreSQL
/// server, shared by every test of the collection so the start-up is paid once.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public const int SlotsPerSilo = 2;
    public const int Silos = 3;
    public const int MaxBatch = 8;

    public PostgresServer Server { get; private set; } = null!;

    public InProcessTestCluster Cluster { get; private set; } = null!;

    internal VoxClusterClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await PostgresServer.StartAsync();
        var connection = Server.ConnectionString;
        var builder = new InProcessTestClusterBuilder(Silos);
        builder.ConfigureSilo((_, silo) => silo.AddVoxScheduler(new VoxSiloOptions
        {
            Slots = SlotsPerSilo, MaxBatch = MaxBatch, PostgresConnectionString = connection, CacheBytes = 16 * 1024 * 1024,
            ConfigureOperations = ClusterTestOps.Register,
        }));
        Cluster = builder.Build();
        await Cluster.DeployAsync();
        Client = VoxClusterClient.Over(Cluster.Client);
    }

    /// <summary>A fresh store namespace.</summary>
    public static string NewNamespace(string label) => $"cluster-tests/{label}/{Guid.NewGuid():N}";

    /// <summary>The store of a namespace, opened by the test (as a reader of results would).</summary>
    public async Task<IResultStore> OpenStoreAsync(string storeNamespace) =>
        await PostgresResultStore.OpenAsync(Server.ConnectionString, storeNamespace, new StoreOptions());

    /// <summary>The coordinators the silos created (the silo a client calls runs its executions).</summary>
    internal IEnumerable<ClusterCoordinator> Coordinators =>
        Cluster.Silos.Where(s => s.IsActive).Select(s => s.ServiceProvider.GetRequiredService<ClusterCoordinator>());

    public async Task DisposeAsync()
    {
        if (Cluster is not null)
        {
            await Cluster.StopAllSilosAsync();
            await Cluster.DisposeAsync();
        }

        if (Server is not null) await Server.DisposeAsync();
    }
}

[CollectionDefinition("cluster")]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>;
