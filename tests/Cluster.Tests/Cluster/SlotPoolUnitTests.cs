using VoxScheduler.Cluster.Coordinator;

namespace VoxScheduler.Tests.Cluster;

/// <summary>The free-slot pool and the batch size on their own (no cluster).</summary>
public sealed class SlotPoolUnitTests
{
    [Theory]
    [InlineData(12, 6, 8, 2)]    // spread: six calls of two, not one call of eight and one of four
    [InlineData(200, 24, 64, 9)]  // a layer of 10 ms nodes over every slot
    [InlineData(1000, 1, 64, 64)] // every other slot busy: a full batch
    [InlineData(1, 6, 64, 1)]
    [InlineData(5, 0, 64, 5)]     // no count of free slots: this one
    public void A_call_carries_the_queued_nodes_shared_over_the_free_slots(int queued, int free, int maxBatch, int expected) =>
        Assert.Equal(expected, RemoteNodeRunner.BatchSize(queued, free, maxBatch));

    [Theory]
    [InlineData(200, 24, 4)] // a 200-wide layer of long nodes over 24 slots: four per call (the most)
    [InlineData(60, 24, 2)]  // two for every slot of the pool
    [InlineData(47, 24, 1)]  // fewer than two per slot (a layer's tail): one per call, spread over the slots
    [InlineData(5, 0, 4)]    // no slots counted: the pool's count is at least one
    [InlineData(0, 6, 1)]
    public void A_call_carries_several_long_nodes_only_while_the_queue_holds_that_many_for_every_slot(int queued, int slots, int expected) =>
        Assert.Equal(expected, RemoteNodeRunner.DeepBatch(queued, slots));

    [Fact]
    public void An_operators_time_is_a_moving_mean_of_what_the_workers_report_and_an_unknown_one_counts_as_a_whole_batch()
    {
        var times = new OperatorTimes();
        Assert.False(times.Knows("slow"));
        Assert.Equal(OperatorTimes.TargetBatch, times.Estimate("slow"));
        times.Record("trivial", TimeSpan.FromMicroseconds(20).Ticks);
        Assert.True(times.Estimate("trivial") < OperatorTimes.TargetBatch, "a trivial node counts as a small part of a batch's work");
        times.Record("slow", TimeSpan.FromMilliseconds(10).Ticks);
        Assert.Equal(TimeSpan.FromMilliseconds(10).Ticks, times.Estimate("slow"));
        times.Record("slow", TimeSpan.FromMilliseconds(18).Ticks);
        Assert.Equal(TimeSpan.FromMilliseconds(11).Ticks, times.Estimate("slow")); // an eighth of the way
        Assert.Equal(2, times.Count);
    }

    [Fact]
    public async Task A_silo_that_leaves_takes_its_slots_and_a_silo_that_joins_brings_the_lowest_free_numbers()
    {
        var pool = new SlotPool();
        Assert.True(pool.Add("a", 2));
        Assert.True(pool.Add("b", 2));
        Assert.False(pool.Add("a", 2));
        Assert.Equal(4, pool.Count);
        var taken = new List<WorkerSlot>();
        for (var i = 0; i < 4; i++) taken.Add(await pool.TakeAsync(CancellationToken.None));
        Assert.Equal([0, 1, 2, 3], taken.Select(s => s.Index).Order());

        var changed = pool.Changed;
        Assert.True(pool.Remove("a"));
        Assert.True(changed.IsCompleted);
        Assert.Equal(2, pool.Count);
        foreach (var slot in taken) pool.Return(slot); // a's slots are dropped on their way back
        Assert.Equal(2, pool.FreeCount);

        Assert.True(pool.Add("c", 3));
        var next = new List<WorkerSlot>();
        for (var i = 0; i < 5; i++) next.Add(await pool.TakeAsync(CancellationToken.None));
        Assert.DoesNotContain(next, s => s.Silo == "a");
        Assert.Equal([0, 1, 4], next.Where(s => s.Silo == "c").Select(s => s.Index).Order()); // a's numbers first, then new ones
        Assert.Equal(5, pool.Count);
    }
}
