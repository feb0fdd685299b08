using VoxScheduler.Images.Kernels;

namespace VoxScheduler.Tests.Images.Kernels;

public sealed class CrossCorrelationKernelTests
{
    [Theory]
    [InlineData(1, 9, 8, 7, 1.0, 4, 1.0, 1.0, 1.0)]
    [InlineData(2, 12, 10, 6, 2.0, 7, 1.0, 1.0, 2.5)]
    [InlineData(3, 14, 13, 1, 1.5, 5, 0.5, 1.0, 1.0)]
    [InlineData(4, 20, 6, 5, 3.0, 10, 1.0, 2.0, 1.0)]
    [InlineData(5, 18, 15, 12, 3.0, 20, 1.0, 1.0, 1.0)] // the benchmark's 20 bins: SIMD lanes and a tail, planes in parallel
    [InlineData(6, 16, 9, 8, 2.0, 16, 1.0, 1.0, 1.0)] // bins a whole number of SIMD vectors
    public void Correlation_matches_the_naive_window_histograms(int seed, int nx, int ny, int nz, double r, int nbins, double sx, double sy, double sz)
    {
        var g = new VoxelGrid(nx, ny, nz, sx, sy, sz);
        var random = new Random(seed);
        var a = Enumerable.Range(0, g.Count).Select(_ => (float)random.NextDouble() * 10).ToArray();
        var b = Enumerable.Range(0, g.Count).Select(_ => (float)random.NextDouble() * 10).ToArray();
        var fb = Oracles.RandomMask(random, g.Count, 0.3);
        // m1/m2 inside the value range, so values below m1 and at or above m2 are left out.
        const double m1 = 1.0, m2 = 9.0;
        var expected = Oracles.CrossCorrelation(r, a, b, fb, m1, m2, nbins, g);
        var got = new float[g.Count];
        CrossCorrelation.Compute(r, a, b, fb, m1, m2, nbins, got, g, CancellationToken.None);
        for (var i = 0; i < g.Count; i++)
        {
            Assert.True(Math.Abs(expected[i] - got[i]) < 1e-5, $"voxel {i}: expected {expected[i]}, got {got[i]}");
        }
    }

    [Fact]
    public void Constant_histograms_give_one_when_both_are_and_zero_when_one_is()
    {
        var g = new VoxelGrid(4, 4, 1);
        var a = new float[g.Count]; // every value 0: outside [1, 2), so every window histogram is all zero (constant)
        var b = new float[g.Count];
        var fb = Enumerable.Repeat((byte)1, g.Count).ToArray();
        var got = new float[g.Count];
        CrossCorrelation.Compute(1, a, b, fb, 1, 2, 3, got, g, CancellationToken.None);
        Assert.All(got, v => Assert.Equal(1f, v));

        b[0] = 1.5f; // the reference histogram is no longer constant
        CrossCorrelation.Compute(1, a, b, fb, 1, 2, 3, got, g, CancellationToken.None);
        Assert.All(got, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void An_empty_range_or_bad_bin_count_is_an_error()
    {
        var g = new VoxelGrid(2, 2, 1);
        var v = new float[4];
        var m = new byte[4];
        Assert.Throws<ArgumentException>(() => CrossCorrelation.Compute(1, v, v, m, 2, 2, 3, new float[4], g, CancellationToken.None));
        Assert.Throws<ArgumentOutOfRangeException>(() => CrossCorrelation.Compute(1, v, v, m, 0, 1, 0, new float[4], g, CancellationToken.None));
    }

    [Fact]
    public void A_call_on_another_thread_reuses_the_bins_of_an_earlier_call()
    {
        // A dataset's cases run on whichever thread is free: the per-voxel bins from the runtime's
        // shared array pool stayed with the thread that returned them, so most cases allocated their own.
        var g = new VoxelGrid(64, 64, 64);
        var random = new Random(7);
        var a = Enumerable.Range(0, g.Count).Select(_ => (float)random.NextDouble() * 10).ToArray();
        var fb = Oracles.RandomMask(random, g.Count, 0.3);
        var first = new float[g.Count];
        var second = new float[g.Count];
        var warm = new Thread(() => CrossCorrelation.Compute(1, a, a, fb, 1, 9, 20, first, g, CancellationToken.None));
        warm.Start();
        warm.Join();
        long allocated = 0;
        var other = new Thread(() =>
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            CrossCorrelation.Compute(1, a, a, fb, 1, 9, 20, second, g, CancellationToken.None);
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        });
        other.Start();
        other.Join();

        Assert.Equal(first, second);
        // The bins are 2 bytes a voxel; the call's own garbage (histogram, delegates) is a few KB.
        Assert.True(allocated < g.Count / 4, $"a call on {g.Count} voxels on a second thread allocated {allocated} bytes");
    }

    [Fact]
    public void Radius_rounds_half_to_even_with_a_minimum_of_one()
    {
        Assert.Equal(2, CrossCorrelation.Radius(2.5, 1));
        Assert.Equal(4, CrossCorrelation.Radius(3.5, 1));
        Assert.Equal(1, CrossCorrelation.Radius(0.2, 1));
        Assert.Equal(2, CrossCorrelation.Radius(5, 2));
    }
}
