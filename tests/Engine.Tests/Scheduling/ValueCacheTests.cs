using VoxScheduler.Dag;
using VoxScheduler.Execution;
using VoxScheduler.Scheduling;

namespace VoxScheduler.Tests.Scheduling;

public sealed class ValueCacheTests
{
    [Fact]
    public void The_cache_stays_within_its_capacity_evicting_the_least_recently_used()
    {
        var cache = new ValueCache();
        var ids = Enumerable.Range(0, 100).Select(i => DagBuilder.ComputeConstantId((double)i)).ToArray();
        cache.AddRange(ids.Take(10).Select(id => (id, (object)new string('x', 100))).ToList(), capacity: 8192);
        Assert.NotNull(cache.TryGet(ids[0])); // now the most recently used
        cache.AddRange(ids.Skip(10).Select(id => (id, (object)new string('y', 100))).ToList(), capacity: 8192);

        Assert.True(cache.Bytes <= 8192);
        Assert.InRange(cache.Count, 1, 20);
        Assert.Null(cache.TryGet(ids[1]));
        Assert.NotNull(cache.TryGet(ids[99]));
        cache.AddRange([(ids[0], new byte[10_000])], capacity: 8192);
        Assert.True(cache.Bytes <= 8192);
    }

    [Fact]
    public async Task A_memory_only_execution_reuses_values_kept_by_an_earlier_one_unless_the_cache_is_off()
    {
        var ops = new TestOps();
        await using var scheduler = ops.Scheduler();
        var b = new DagBuilder();
        var x = b.Operation("t.add", 1, [b.Constant(1.0), b.Constant(2.0)]);
        var y = b.Operation("t.add", 1, [x, b.Constant(3.0)]);
        b.AddGoal(new DagGoal("y", GoalKind.Print, y));
        var dag = b.Build();

        await TestOps.RunAsync(scheduler, dag, TestOps.Memory());
        Assert.Equal(2, ops.TotalRuns);
        var second = await TestOps.RunAsync(scheduler, dag, TestOps.Memory());
        Assert.Equal(2, ops.TotalRuns);
        Assert.Equal(NodeStatus.Cached, second.GetGoalResults()[0].Status);
        Assert.Equal(6.0, second.GetGoalResults()[0].Value);

        var off = await TestOps.RunAsync(scheduler, dag, TestOps.Memory() with { CacheSize = "0" });
        Assert.Equal(4, ops.TotalRuns);
        Assert.Equal(NodeStatus.Completed, off.GetGoalResults()[0].Status);
    }
}
