using VoxScheduler.Images.Kernels;

namespace VoxScheduler.Tests.Images.Kernels;

public sealed class DistanceKernelTests
{
    private static float[] Dt(byte[] a, VoxelGrid g)
    {
        var r = new float[a.Length];
        DistanceTransform.Signed(a, r, g, CancellationToken.None);
        return r;
    }

    [Fact]
    public void Distance_from_a_point_uses_the_spacing()
    {
        var g = new VoxelGrid(5, 5, 5, 1, 1, 2.5);
        var a = new byte[g.Count];
        a[g.Index(2, 2, 2)] = 1;
        var r = Dt(a, g);
        Assert.Equal(0f, r[g.Index(2, 2, 2)]);
        Assert.Equal(1f, r[g.Index(3, 2, 2)]);
        Assert.Equal(2.5f, r[g.Index(2, 2, 3)]);
        Assert.Equal(5f, r[g.Index(2, 2, 0)]);
        Assert.Equal((float)Math.Sqrt(4 + 4 + 25), r[g.Index(0, 0, 0)], 5);
        Assert.Equal((float)Math.Sqrt(1 + 1 + 6.25), r[g.Index(3, 3, 3)], 5);
    }

    [Fact]
    public void Contour_voxels_are_zero_and_the_inside_is_negative()
    {
        var g = new VoxelGrid(9, 9, 9);
        var a = new byte[g.Count];
        for (var z = 1; z <= 7; z++)
        for (var y = 1; y <= 7; y++)
        for (var x = 1; x <= 7; x++)
        {
            a[g.Index(x, y, z)] = 1;
        }

        var r = Dt(a, g);
        Assert.Equal(0f, r[g.Index(1, 4, 4)]);
        Assert.Equal(0f, r[g.Index(7, 7, 7)]);
        Assert.Equal(-1f, r[g.Index(2, 4, 4)]);
        Assert.Equal(-3f, r[g.Index(4, 4, 4)]);
        Assert.Equal(1f, r[g.Index(0, 4, 4)]);
        Assert.Equal((float)Math.Sqrt(3), r[g.Index(0, 0, 0)], 6);
        Assert.DoesNotContain(r, v => float.IsNegative(v) && v == 0f); // no −0
    }

    [Fact]
    public void Empty_and_full_masks_give_itks_values()
    {
        var g = new VoxelGrid(4, 3, 2);
        Assert.All(Dt(new byte[g.Count], g), v => Assert.Equal(1.8446744e19f, v));
        Assert.All(Dt(Enumerable.Repeat((byte)1, g.Count).ToArray(), g), v => Assert.Equal(-1.8446744e19f, v));
    }

    [Theory]
    [InlineData(1, 12, 11, 10, 0.05, 1.0, 1.0, 1.0)]
    [InlineData(2, 20, 20, 20, 0.01, 1.0, 1.0, 2.5)]
    [InlineData(3, 15, 9, 13, 0.6, 0.7, 1.3, 2.0)]
    [InlineData(4, 25, 19, 1, 0.1, 0.5, 1.0, 1.0)]
    [InlineData(5, 1, 1, 30, 0.1, 1.0, 1.0, 3.0)]
    [InlineData(6, 20, 20, 20, 0.95, 1.0, 1.0, 1.0)]
    public void Distance_matches_all_pairs_on_random_masks(int seed, int nx, int ny, int nz, double density, double sx, double sy, double sz)
    {
        var g = new VoxelGrid(nx, ny, nz, sx, sy, sz);
        var a = Oracles.RandomMask(new Random(seed), g.Count, density);
        a[g.Count / 2] = 1; // never empty
        a[0] = 0;           // never full
        var expected = Oracles.SignedDistance(a, g);
        var r = Dt(a, g);
        for (var i = 0; i < g.Count; i++)
        {
            Assert.True(Math.Abs(expected[i] - r[i]) <= 1e-5 * Math.Max(1, Math.Abs(expected[i])), $"voxel {i}: expected {expected[i]}, got {r[i]}");
        }
    }
}
