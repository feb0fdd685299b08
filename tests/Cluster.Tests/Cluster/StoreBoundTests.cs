using Microsoft.Extensions.DependencyInjection;
using VoxScheduler.Cluster.Client;
using VoxScheduler.Cluster.Worker;
using VoxScheduler.Dag;
using VoxScheduler.Scheduling;

namespace VoxScheduler.Tests.Cluster;

/// <summary>A cluster whose silos keep at most two idle stores open.</summary>
public sealed class StoreBoundFixture() : OwnClusterFixture(2, 8, maxIdleStores: StoreBoundTests.MaxIdle);

[CollectionDefinition("cluster-store-bound")]
public sealed class StoreBoundCollection : ICollectionFixture<StoreBoundFixture>;

/// <summary>
/// Runs on many store namespaces, one after another (issue 16): each silo's worker keeps at most
/// its bound of stores open (none is in use between runs), and every run's result is right.
/// </summary>
[Collection("cluster-store-bound")]
[Trait("Category", "Postgres")]
public sealed class StoreBoundTests(StoreBoundFixture fixture)
{
    public const int MaxIdle = 2;

    [Fact]
    public async Task Runs_on_many_namespaces_leave_each_worker_at_most_its_bound_of_stores_open_and_their_results_are_right()
    {
        const int namespaces = 12;
        var client = VoxClusterClient.Over(fixture.Cluster.Client);
        var workers = fixture.Cluster.Silos.Select(s => s.ServiceProvider.GetRequiredService<NodeWorker>()).ToList();
        var openedBefore = workers.Sum(w => w.StoresOpened);
        var prefix = $"cluster-tests/bound/{Guid.NewGuid():N}";
        for (var n = 0; n < namespaces; n++)
        {
            var salt = n * 1000.0;
            var b = new DagBuilder();
            var parts = Enumerable.Range(0, 8).Select(i => b.Operation("ct.add", 1, [b.Constant(salt + i), b.Constant(1.0)])).ToList();
            var total = b.Operation("ct.add", 1, [.. parts]);
            b.AddGoal(new DagGoal("total", GoalKind.Print, total));
            var execution = await client.SubmitDagAsync(b.Build(), new ClusterSubmitOptions { StoreNamespace = $"{prefix}/{n}" });
            var result = await execution.WaitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(ExecutionStatus.Completed, result.Status);
            Assert.Equal(8 * salt + 28 + 8, Assert.Single(result.Goals).Value);
            foreach (var worker in workers)
            {
                Assert.True(worker.OpenStores <= MaxIdle, $"silo {worker.Silo} has {worker.OpenStores} stores open after namespace {n} (bound {MaxIdle})");
            }
        }

        // The workers did use stores of these namespaces (the bound was not met by never opening one).
        Assert.True(workers.Sum(w => w.StoresOpened) - openedBefore >= namespaces, $"{workers.Sum(w => w.StoresOpened) - openedBefore} stores opened for {namespaces} namespaces");
    }
}
