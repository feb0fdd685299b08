using System.Collections.Concurrent;
using VoxScheduler.Images.Kernels;

namespace VoxScheduler.Tests.Images.Kernels;

public sealed class SlabsTests
{
    private static List<(int Start, int End)> Ranges(int count, long workPerItem, int minPerRange)
    {
        var seen = new ConcurrentBag<(int, int)>();
        Slabs.For(count, workPerItem, CancellationToken.None, (s, e) => seen.Add((s, e)), minPerRange);
        return seen.OrderBy(r => r.Item1).ToList();
    }

    private static void CoversOnce(int count, List<(int Start, int End)> ranges)
    {
        Assert.Equal(0, ranges[0].Start);
        Assert.Equal(count, ranges[^1].End);
        for (var i = 1; i < ranges.Count; i++) Assert.Equal(ranges[i - 1].End, ranges[i].Start);
    }

    [Fact]
    public void Ranges_cover_every_item_once_and_hold_at_least_min_per_range_items()
    {
        foreach (var (count, min) in new[] { (1000, 1), (1000, 100), (1000, 333), (137, 17) })
        {
            var ranges = Ranges(count, 1 << 16, min);
            CoversOnce(count, ranges);
            Assert.All(ranges, r => Assert.True(r.End - r.Start >= min, $"range {r} of {count} under {min} items"));
            // Shared between threads where there is more than one core and room for two ranges.
            if (Environment.ProcessorCount > 1) Assert.True(ranges.Count >= 2, $"{count} items, {min} a range: {ranges.Count} range(s)");
        }
    }

    [Fact]
    public void Fewer_than_two_ranges_worth_of_items_run_as_one_range()
    {
        Assert.Equal([(0, 1000)], Ranges(1000, 1 << 16, 501));
        Assert.Equal([(0, 136)], Ranges(136, VoxelArithmetic.Chunk / 4, VoxelLogic.SplitBytes / VoxelArithmetic.Chunk));
    }
}
