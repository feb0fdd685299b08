using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using VoxScheduler.Cluster.Client;
using VoxScheduler.Cluster.Coordinator;
using VoxScheduler.Cluster.Hosting;
using VoxScheduler.Dag;
using VoxScheduler.Scheduling;

namespace VoxScheduler.Tests.Cluster;

/// <summary>A cluster of its own (its silos die and join), over its own PostgreSQL server.</summary>
public sealed class SlotPoolFixture() : OwnClusterFixture(Slots, 4)
{
    public const int Slots = 2;
}

[CollectionDefinition("cluster-slots")]
public sealed class SlotPoolCollection : ICollectionFixture<SlotPoolFixture>;

/// <summary>
/// The free-slot pool follows membership: a dead silo's slots leave it as soon as membership
/// declares the silo dead (with no submission in between), and a joining silo's slots come in,
/// so later executions run on the new silo and send nothing to the dead one.
/// </summary>
[Collection("cluster-slots")]
[Trait("Category", "Postgres")]
public sealed class SlotPoolTests(SlotPoolFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_dead_silos_slots_leave_the_pool_when_it_is_declared_dead_and_a_joining_silos_slots_come_in()
    {
        var cluster = fixture.Cluster;
        var coordinators = cluster.Silos.ToDictionary(s => s.SiloAddress.ToParsableString(), s => s.ServiceProvider.GetRequiredService<ClusterCoordinator>());
        var primary = cluster.Silos[0];
        var pool = coordinators[primary.SiloAddress.ToParsableString()].Runner.Slots;
        // Laid out from membership alone: no execution was submitted yet.
        await WaitForAsync(pool, p => p.Count == 3 * SlotPoolFixture.Slots, "every silo's slots in the pool");
        var victim = cluster.Silos[2];
        var dead = victim.SiloAddress.ToParsableString();
        Assert.Contains(dead, pool.Silos);
        var calls = coordinators.Values.Sum(c => c.Runner.Calls);

        await cluster.KillSiloAsync(victim);

        // Every surviving coordinator drops the dead silo's slots once membership declares it dead, before any submission.
        foreach (var (address, coordinator) in coordinators.Where(c => c.Key != dead))
        {
            await WaitForAsync(coordinator.Runner.Slots, p => !p.Contains(dead), $"{dead}'s slots leaving the pool of {address}");
            Assert.Equal(2 * SlotPoolFixture.Slots, coordinator.Runner.SlotCount);
        }

        Assert.Equal(calls, coordinators.Values.Sum(c => c.Runner.Calls)); // nothing was sent meanwhile: membership alone did it

        var joined = await cluster.StartAdditionalSiloAsync();
        var added = joined.SiloAddress.ToParsableString();
        coordinators.Remove(dead);
        coordinators[added] = joined.ServiceProvider.GetRequiredService<ClusterCoordinator>();
        foreach (var (address, coordinator) in coordinators)
        {
            await WaitForAsync(coordinator.Runner.Slots, p => p.Contains(added) && p.Count == 3 * SlotPoolFixture.Slots, $"{added}'s slots joining the pool of {address}");
        }

        Assert.Equal(3 * SlotPoolFixture.Slots, pool.Count);

        // An execution now runs nodes on the new silo and sends none to the dead one (whichever silo coordinates it).
        var before = ClusterTestOps.RunsPerSilo.GetValueOrDefault(added);
        var redispatched = coordinators.Values.Sum(c => c.Runner.Redispatched);
        var tag = (double)(Guid.NewGuid().GetHashCode() & 0xFFFF);
        var b = new DagBuilder();
        var salt = b.Constant(tag);
        var layer = Enumerable.Range(0, 96).Select(i => b.Operation("ct.add", 1, [b.Constant((double)i), salt])).ToList();
        b.AddGoal(new DagGoal("total", GoalKind.Print, b.Operation("ct.add", 1, [.. layer])));
        var client = VoxClusterClient.Over(cluster.Client);
        var execution = await client.SubmitDagAsync(b.Build(), new ClusterSubmitOptions { StoreNamespace = ClusterFixture.NewNamespace("slots") });
        var result = await execution.WaitAsync().WaitAsync(Patience);

        Assert.Equal(ExecutionStatus.Completed, result.Status);
        Assert.True(ClusterTestOps.RunsPerSilo.GetValueOrDefault(added) > before, $"no node ran on the silo that joined ({added})");
        Assert.Equal(redispatched, coordinators.Values.Sum(c => c.Runner.Redispatched));
    }

    /// <summary>Waits on the pool's change signal (never a timed poll) until <paramref name="condition"/> holds.</summary>
    private static async Task WaitForAsync(SlotPool pool, Func<SlotPool, bool> condition, string what)
    {
        using var deadline = new CancellationTokenSource(Patience);
        while (true)
        {
            var changed = pool.Changed; // taken before the check: a change after it completes this signal
            if (condition(pool)) return;
            try
            {
                await changed.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"Waited {Patience.TotalSeconds} s for {what}; the pool has {string.Join(", ", pool.Silos)}.");
            }
        }
    }
}
