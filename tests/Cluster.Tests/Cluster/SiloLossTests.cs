using Npgsql;
using Orleans.TestingHost;
using VoxScheduler.Cluster.Client;
using VoxScheduler.Cluster.Hosting;
using VoxScheduler.Dag;
using VoxScheduler.Scheduling;
using VoxScheduler.Values;

namespace VoxScheduler.Tests.Cluster;

/// <summary>A cluster of its own (this test kills one of its silos), over its own PostgreSQL server.</summary>
public sealed class SiloLossFixture() : OwnClusterFixture(2, 2);

[CollectionDefinition("cluster-loss")]
public sealed class SiloLossCollection : ICollectionFixture<SiloLossFixture>;

/// <summary>A silo killed in the middle of an execution: its nodes are looked up in the store and sent to the others; nothing is lost or stored twice.</summary>
[Collection("cluster-loss")]
[Trait("Category", "Postgres")]
public sealed class SiloLossTests(SiloLossFixture fixture)
{
    [Fact]
    public async Task A_silo_killed_mid_run_loses_nothing_and_stores_nothing_twice()
    {
        var client = VoxClusterClient.Over(fixture.Cluster.Client);
        var salt = (double)(Guid.NewGuid().GetHashCode() & 0xFFFF);
        var b = new DagBuilder();
        var slow = Enumerable.Range(0, 36).Select(i => b.Operation("ct.slow", 1, [b.Constant(i + salt), b.Constant(150.0)])).ToList();
        var pairs = Enumerable.Range(0, 18).Select(i => b.Operation("ct.add", 1, [slow[2 * i], slow[2 * i + 1]])).ToList();
        var total = b.Operation("ct.add", 1, [.. pairs]);
        b.AddGoal(new DagGoal("total", GoalKind.Print, total));
        var dag = b.Build();
        var ns = $"cluster-tests/loss/{Guid.NewGuid():N}";

        var execution = await client.SubmitDagAsync(dag, new ClusterSubmitOptions { StoreNamespace = ns });
        var victim = fixture.Cluster.Silos.First(s => s.SiloAddress.ToParsableString() != execution.Coordinator);
        // Kill it once it is running nodes of this execution.
        var victimAddress = victim.SiloAddress.ToParsableString();
        await ClusterTestOps.Signal(ClusterTestOps.Started, "silo:" + victimAddress).Task.WaitAsync(TimeSpan.FromSeconds(60));
        // Its running nodes never finish (an in-process silo's tasks outlive its kill): they are lost with it.
        var stalled = ClusterTestOps.Stalled.GetOrAdd(victimAddress, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            await fixture.Cluster.KillSiloAsync(victim);
            await RunAsync(execution, dag, total, salt, ns);
        }
        finally
        {
            stalled.TrySetResult();
        }
    }

    private async Task RunAsync(ClusterExecution execution, DagDefinition dag, int total, double salt, string ns)
    {
        var result = await execution.WaitAsync().WaitAsync(TimeSpan.FromSeconds(120));

        Assert.Equal(ExecutionStatus.Completed, result.Status);
        var expected = Enumerable.Range(0, 36).Sum(i => i + salt);
        await using var connection = new NpgsqlConnection(fixture.Server.ConnectionString);
        await connection.OpenAsync();
        await using (var store = await VoxScheduler.Cluster.Postgres.PostgresResultStore.OpenAsync(fixture.Server.ConnectionString, ns))
        {
            Assert.Equal(expected, ValueCodec.Decode((await store.RetrieveAsync(dag.Nodes[total].Id))!));
            // Every computed node is stored, each exactly once.
            await using var count = new NpgsqlCommand($"SELECT count(*), count(DISTINCT node_id) FROM {store.Schema}.results", connection);
            await using var reader = await count.ExecuteReaderAsync();
            await reader.ReadAsync();
            Assert.Equal(36 + 18 + 1, reader.GetInt64(0));
            Assert.Equal(reader.GetInt64(0), reader.GetInt64(1));
        }

        var redispatched = fixture.Cluster.Silos.Where(s => s.IsActive)
            .Sum(s => ((Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<VoxScheduler.Cluster.Coordinator.ClusterCoordinator>(s.ServiceProvider)).Runner.Redispatched));
        Assert.True(redispatched > 0, "no node was sent again after the kill");
    }
}
