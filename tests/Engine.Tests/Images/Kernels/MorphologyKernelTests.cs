using VoxScheduler.Images.Kernels;

namespace VoxScheduler.Tests.Images.Kernels;

public sealed class MorphologyKernelTests
{
    private static byte[] Near(byte[] a, VoxelGrid g)
    {
        var r = new byte[a.Length];
        BoxMorphology.Near(a, r, g, CancellationToken.None);
        return r;
    }

    private static byte[] Interior(byte[] a, VoxelGrid g)
    {
        var r = new byte[a.Length];
        BoxMorphology.Interior(a, r, g, CancellationToken.None);
        return r;
    }

    [Fact]
    public void Near_of_one_voxel_is_its_27_voxel_neighbourhood()
    {
        var g = new VoxelGrid(7, 7, 7);
        var a = new byte[g.Count];
        a[g.Index(3, 3, 3)] = 1;
        var r = Near(a, g);
        Assert.Equal(27, r.Count(v => v == 1));
        for (var z = 2; z <= 4; z++)
        for (var y = 2; y <= 4; y++)
        for (var x = 2; x <= 4; x++)
        {
            Assert.Equal(1, r[g.Index(x, y, z)]);
        }
    }

    [Fact]
    public void Near_in_2d_uses_the_8_neighbourhood()
    {
        var g = new VoxelGrid(5, 5, 1);
        var a = new byte[g.Count];
        a[g.Index(2, 2, 0)] = 1;
        Assert.Equal(9, Near(a, g).Count(v => v == 1));
    }

    [Fact]
    public void Interior_of_a_5_cube_is_its_3_cube()
    {
        var g = new VoxelGrid(9, 9, 9);
        var a = new byte[g.Count];
        for (var z = 2; z <= 6; z++)
        for (var y = 2; y <= 6; y++)
        for (var x = 2; x <= 6; x++)
        {
            a[g.Index(x, y, z)] = 1;
        }

        var r = Interior(a, g);
        Assert.Equal(27, r.Count(v => v == 1));
        Assert.Equal(1, r[g.Index(3, 3, 3)]);
        Assert.Equal(1, r[g.Index(5, 5, 5)]);
        Assert.Equal(0, r[g.Index(2, 4, 4)]);
    }

    [Fact]
    public void A_cube_at_the_image_edge_is_not_eroded_at_the_edge()
    {
        // A 3-cube in the corner: only the faces inside the image erode, so 2×2×2 voxels remain.
        var g = new VoxelGrid(6, 6, 6);
        var a = new byte[g.Count];
        for (var z = 0; z < 3; z++)
        for (var y = 0; y < 3; y++)
        for (var x = 0; x < 3; x++)
        {
            a[g.Index(x, y, z)] = 1;
        }

        var r = Interior(a, g);
        Assert.Equal(8, r.Count(v => v == 1));
        Assert.Equal(1, r[g.Index(0, 0, 0)]);
        Assert.Equal(1, r[g.Index(1, 1, 1)]);
        Assert.Equal(0, r[g.Index(2, 1, 1)]);
    }

    [Fact]
    public void Full_and_empty_masks_are_fixed_points()
    {
        var g = new VoxelGrid(4, 5, 3);
        var full = Enumerable.Repeat((byte)1, g.Count).ToArray();
        var empty = new byte[g.Count];
        Assert.Equal(full, Interior(full, g));
        Assert.Equal(full, Near(full, g));
        Assert.Equal(empty, Interior(empty, g));
        Assert.Equal(empty, Near(empty, g));
    }

    [Theory]
    [InlineData(1, 20, 20, 20, 0.1)]
    [InlineData(2, 37, 5, 9, 0.5)]
    [InlineData(3, 13, 17, 1, 0.3)]
    [InlineData(4, 1, 1, 19, 0.6)]
    [InlineData(5, 70, 3, 2, 0.8)]
    public void Near_and_interior_match_the_brute_force_neighbourhood_on_random_masks(int seed, int nx, int ny, int nz, double density)
    {
        var g = new VoxelGrid(nx, ny, nz);
        var a = Oracles.RandomMask(new Random(seed), g.Count, density);
        Assert.Equal(Oracles.Near(a, g), Near(a, g));
        Assert.Equal(Oracles.Interior(a, g), Interior(a, g));
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public void Interior_is_not_near_not(int seed)
    {
        var g = new VoxelGrid(18, 15, 12);
        var a = Oracles.RandomMask(new Random(seed), g.Count, 0.7);
        var notA = a.Select(v => (byte)(v ^ 1)).ToArray();
        var expected = Near(notA, g).Select(v => (byte)(v ^ 1)).ToArray();
        Assert.Equal(expected, Interior(a, g));
    }

    [Fact]
    public void Cancellation_stops_a_large_dilation()
    {
        var g = new VoxelGrid(64, 64, 64);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => BoxMorphology.Near(new byte[g.Count], new byte[g.Count], g, cts.Token));
    }
}
