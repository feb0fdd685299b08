using Orleans.TestingHost;
using VoxScheduler.Cluster.Hosting;

namespace VoxScheduler.Tests.Cluster;

/// <summary>
/// A three-silo in-process cluster of a test class's own, over its own PostgreSQL server, for
/// tests that kill or add silos (they cannot share <see cref="ClusterFixture"/>'s cluster).
/// </summary>
public abstract class OwnClusterFixture(int slots, int maxBatch, int maxIdleStores = 16) : IAsyncLifetime
{
    public PostgresServer Server { get; private set; } = null!;

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await PostgresServer.StartAsync();
        var connection = Server.ConnectionString;
        var builder = new InProcessTestClusterBuilder(3);
        builder.ConfigureSilo((_, silo) => silo.AddVoxScheduler(new VoxSiloOptions
        {
            Slots = slots, MaxBatch = maxBatch, PostgresConnectionString = connection, ConfigureOperations = ClusterTestOps.Register,
            MaxIdleStores = maxIdleStores,
        }));
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

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
