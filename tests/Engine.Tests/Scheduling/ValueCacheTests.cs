using VoxScheduler.Dag;
using VoxScheduler.Execution;
using VoxScheduler.Images;
using VoxScheduler.Scheduling;
using VoxScheduler.Values;

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
    public void The_cache_holds_the_images_it_keeps_and_an_eviction_gives_the_buffer_back_to_its_pool()
    {
        // Before, the cache shared what it kept: an evicted image was left to the collector, never
        // returned, and a dataset's released images stayed out of the pool while cached.
        var pool = new VoxelBufferPool(1L << 30);
        var cache = new ValueCache();
        var ids = Enumerable.Range(0, 800).Select(i => DagBuilder.ComputeConstantId((double)i)).ToArray();
        var filler = 2;

        // Kept, then evicted with no one else holding it: back to the pool.
        var kept = Mask(pool);
        PooledValues.Retain(kept); // the plan's hold
        PooledValues.Retain(kept); // the one the execution hands over with the value
        cache.AddRange([(ids[0], kept)], capacity: 100_000);
        PooledValues.Release(kept); // the plan lets go: the cache still holds it
        Assert.False(kept.IsReturned);
        Fill();
        Assert.Null(cache.TryGet(ids[0])); // evicted
        Assert.True(kept.IsReturned);
        Assert.Equal(1, pool.Returned);

        // Lent to a reader, then evicted: the reader's hold keeps the voxels until it lets go.
        var lentImage = Mask(pool);
        PooledValues.Retain(lentImage);
        cache.AddRange([(ids[1], lentImage)], capacity: 100_000);
        var lent = cache.TryGet(ids[1]);
        Assert.Same(lentImage, lent);
        Fill();
        Assert.Null(cache.TryGet(ids[1]));
        Assert.False(lentImage.IsReturned);
        Assert.Equal(1, lentImage.Booleans[999]);
        PooledValues.Release(lent);
        Assert.True(lentImage.IsReturned);
        Assert.Equal(2, pool.Returned);
        Assert.Equal(0, pool.Dropped);

        void Fill()
        {
            cache.AddRange(ids.Skip(filler).Take(300).Select(id => (id, (object)new string('x', 100))).ToList(), capacity: 100_000);
            filler += 300;
        }
    }

    private static Image Mask(VoxelBufferPool pool)
    {
        var rented = RentedVoxels.Of(pool, VoxelKind.Boolean, 1000);
        rented.Bytes.Fill(1);
        return Image.FromRented(ImageGeometry.Of3D(10, 10, 10), rented);
    }

    [Fact]
    public void A_value_the_cache_does_not_keep_is_let_go_at_once()
    {
        var pool = new VoxelBufferPool(1L << 30);
        var rented = RentedVoxels.Of(pool, VoxelKind.Number, 100_000);
        var big = Image.FromRented(ImageGeometry.Of3D(100, 100, 10), rented);
        PooledValues.Retain(big); // handed over with the value
        new ValueCache().AddRange([(DagBuilder.ComputeConstantId(1.0), big)], capacity: 100_000); // over a quarter of the capacity
        Assert.True(big.IsReturned);
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
