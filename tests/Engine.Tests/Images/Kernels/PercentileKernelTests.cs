using VoxScheduler.Images.Kernels;

namespace VoxScheduler.Tests.Images.Kernels;

public sealed class PercentileKernelTests
{
    private static float[] Run(float[] image, byte[] mask, double k)
    {
        var r = new float[image.Length];
        Percentiles.Compute(image, mask, k, r, CancellationToken.None);
        return r;
    }

    [Fact]
    public void Ties_share_a_rank_weighted_by_k_and_voxels_outside_get_minus_one()
    {
        float[] image = [3, 1, 2, 2, 9, 2, -0f, 0f];
        byte[] mask = [1, 1, 1, 1, 0, 1, 1, 1];
        var r = Run(image, mask, 0.5);
        // in the mask: 3, 1, 2, 2, 2, -0, 0 (7 voxels); -0 and 0 are one value
        Assert.Equal((6 + 0.5f) / 7, r[0], 6);
        Assert.Equal((2 + 0.5f) / 7, r[1], 6);
        Assert.Equal((3 + 1.5f) / 7, r[2], 6);
        Assert.Equal(r[2], r[3]);
        Assert.Equal(r[2], r[5]);
        Assert.Equal(-1f, r[4]);
        Assert.Equal((0 + 1f) / 7, r[6], 6);
        Assert.Equal(r[6], r[7]);
    }

    [Fact]
    public void K_zero_counts_only_smaller_values()
    {
        float[] image = [5, 5, 7, 1];
        var r = Run(image, [1, 1, 1, 1], 0);
        Assert.Equal(new[] { 0.25f, 0.25f, 0.75f, 0f }, r);
    }

    [Fact]
    public void An_empty_mask_gives_minus_one_everywhere()
    {
        Assert.All(Run([1, 2, 3], [0, 0, 0], 0.5), v => Assert.Equal(-1f, v));
    }

    [Theory]
    [InlineData(1, 0.0)]
    [InlineData(2, 0.5)]
    [InlineData(3, 1.0)]
    public void Ranks_match_counting_on_random_images(int seed, double k)
    {
        var random = new Random(seed);
        var n = 4000;
        // Few distinct values, negative and positive, so ties and the sign flip of the key are exercised.
        var image = Enumerable.Range(0, n).Select(_ => (float)(random.Next(-40, 40) * 0.37)).ToArray();
        var mask = Oracles.RandomMask(random, n, 0.6);
        var r = Run(image, mask, k);
        var inMask = Enumerable.Range(0, n).Where(i => mask[i] != 0).Select(i => image[i]).ToArray();
        for (var i = 0; i < n; i++)
        {
            if (mask[i] == 0) { Assert.Equal(-1f, r[i]); continue; }
            var less = inMask.Count(w => w < image[i]);
            var equal = inMask.Count(w => w == image[i]);
            Assert.Equal((float)((less + k * equal) / inMask.Length), r[i]);
        }
    }

    [Theory]
    [InlineData(4, 0.5, 300)]     // many ties: runs cross the parallel chunks and segments
    [InlineData(5, 0.25, 1 << 30)] // nearly all distinct
    public void Ranks_on_images_large_enough_to_run_in_parallel_match_a_sort(int seed, double k, int distinct)
    {
        var random = new Random(seed);
        var n = 600_000;
        var image = Enumerable.Range(0, n).Select(_ => (float)((random.Next(distinct) - distinct / 2) * 0.013)).ToArray();
        image[17] = float.NaN;
        var mask = Oracles.RandomMask(random, n, 0.7);
        mask[17] = 1;
        var r = Run(image, mask, k);

        // The oracle: sort the masked values, count smaller and equal ones by binary search.
        var inMask = Enumerable.Range(0, n).Where(i => mask[i] != 0).Select(i => image[i]).ToArray();
        var sorted = inMask.Where(v => !float.IsNaN(v)).Order().ToArray();
        for (var i = 0; i < n; i++)
        {
            if (mask[i] == 0) { Assert.Equal(-1f, r[i]); continue; }
            if (float.IsNaN(image[i])) { Assert.Equal(0f, r[i]); continue; }
            var less = LowerBound(sorted, image[i]);
            var equal = LowerBound(sorted, MathF.BitIncrement(image[i])) - less;
            Assert.Equal((float)((less + k * equal) / inMask.Length), r[i]);
        }
    }

    private static int LowerBound(float[] sorted, float v)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] < v) lo = mid + 1;
            else hi = mid;
        }

        return lo;
    }
}
