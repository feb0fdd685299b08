using VoxScheduler.Images.Kernels;

namespace VoxScheduler.Tests.Images.Kernels;

public sealed class ComponentKernelTests
{
    private static (float[] Labels, int Count) Lcc(byte[] a, VoxelGrid g)
    {
        var r = new float[a.Length];
        var k = ComponentQueries.Labels(a, r, g, CancellationToken.None);
        return (r, k);
    }

    [Fact]
    public void Two_diagonal_voxels_are_one_component()
    {
        var g = new VoxelGrid(4, 4, 4);
        var a = new byte[g.Count];
        a[g.Index(1, 1, 1)] = 1;
        a[g.Index(2, 2, 2)] = 1;
        var (labels, k) = Lcc(a, g);
        Assert.Equal(1, k);
        Assert.Equal(1f, labels[g.Index(1, 1, 1)]);
        Assert.Equal(1f, labels[g.Index(2, 2, 2)]);
        Assert.Equal(0f, labels[0]);
    }

    [Fact]
    public void Labels_follow_the_raster_order_of_first_voxels()
    {
        // A V shape whose two arms start at separate voxels of row 0 and meet lower down is one
        // component; a later voxel on its own is the second.
        var g = new VoxelGrid(7, 4, 1);
        var a = new byte[g.Count];
        foreach (var (x, y) in new[] { (5, 0), (0, 0), (1, 1), (4, 1), (2, 2), (3, 2), (6, 3) }) a[g.Index(x, y, 0)] = 1;
        var (labels, k) = Lcc(a, g);
        Assert.Equal(2, k);
        Assert.Equal(1f, labels[g.Index(0, 0, 0)]);
        Assert.Equal(1f, labels[g.Index(5, 0, 0)]);
        Assert.Equal(2f, labels[g.Index(6, 3, 0)]);
    }

    [Theory]
    [InlineData(1, 20, 20, 20, 0.25)]
    [InlineData(2, 19, 11, 17, 0.12)]
    [InlineData(3, 30, 30, 1, 0.4)]
    [InlineData(4, 5, 40, 30, 0.2)]
    [InlineData(5, 3, 3, 64, 0.3)]
    public void Labels_match_a_breadth_first_flood_fill(int seed, int nx, int ny, int nz, double density)
    {
        var g = new VoxelGrid(nx, ny, nz);
        var a = Oracles.RandomMask(new Random(seed), g.Count, density);
        var expected = Oracles.FloodLabels(a, g, out var count);
        var (labels, k) = Lcc(a, g);
        Assert.Equal(count, k);
        Assert.Equal(expected.Select(v => (float)v).ToArray(), labels);
    }

    [Fact]
    public void Labels_across_parallel_slabs_match_the_flood_fill()
    {
        // Large enough to be labelled in parallel slabs, with components spanning slab boundaries.
        var g = new VoxelGrid(48, 40, 64);
        var a = Oracles.RandomMask(new Random(7), g.Count, 0.28);
        var expected = Oracles.FloodLabels(a, g, out var count);
        var (labels, k) = Lcc(a, g);
        Assert.Equal(count, k);
        Assert.Equal(expected.Select(v => (float)v).ToArray(), labels);
    }

    [Fact]
    public void Through_keeps_the_components_of_b_that_touch_a()
    {
        var g = new VoxelGrid(10, 1, 1);
        byte[] b = [1, 1, 0, 1, 1, 1, 0, 0, 1, 1];
        byte[] a = [0, 0, 0, 0, 1, 0, 0, 0, 0, 0];
        var r = new byte[g.Count];
        ComponentQueries.Through(a, b, r, g, CancellationToken.None);
        Assert.Equal(new byte[] { 0, 0, 0, 1, 1, 1, 0, 0, 0, 0 }, r);
    }

    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    [InlineData(23)]
    public void Through_is_a_subset_of_b_and_matches_the_flood_fill(int seed)
    {
        var g = new VoxelGrid(16, 14, 12);
        var random = new Random(seed);
        var a = Oracles.RandomMask(random, g.Count, 0.02);
        var b = Oracles.RandomMask(random, g.Count, 0.25);
        var r = new byte[g.Count];
        ComponentQueries.Through(a, b, r, g, CancellationToken.None);
        var labels = Oracles.FloodLabels(b, g, out _);
        var touched = new HashSet<int>(Enumerable.Range(0, g.Count).Where(i => a[i] != 0 && b[i] != 0).Select(i => labels[i]));
        for (var i = 0; i < g.Count; i++)
        {
            Assert.True(r[i] == 0 || b[i] == 1);
            Assert.Equal(b[i] != 0 && touched.Contains(labels[i]) ? 1 : 0, r[i]);
        }
    }

    [Fact]
    public void Maxvol_keeps_every_largest_component_on_a_tie()
    {
        var g = new VoxelGrid(11, 1, 1);
        byte[] a = [1, 1, 0, 1, 0, 0, 1, 1, 0, 1, 0];
        var r = new byte[g.Count];
        ComponentQueries.MaxVolume(a, r, g, CancellationToken.None);
        Assert.Equal(new byte[] { 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0 }, r);
    }

    [Fact]
    public void Maxvol_keeps_only_the_largest_component()
    {
        var g = new VoxelGrid(8, 1, 1);
        byte[] a = [1, 0, 1, 1, 1, 0, 1, 1];
        var r = new byte[g.Count];
        ComponentQueries.MaxVolume(a, r, g, CancellationToken.None);
        Assert.Equal(new byte[] { 0, 0, 1, 1, 1, 0, 0, 0 }, r);
    }

    [Fact]
    public void Empty_masks_have_no_components()
    {
        var g = new VoxelGrid(5, 4, 3);
        var empty = new byte[g.Count];
        var (labels, k) = Lcc(empty, g);
        Assert.Equal(0, k);
        Assert.All(labels, v => Assert.Equal(0f, v));
        var r = Enumerable.Repeat((byte)1, g.Count).ToArray();
        ComponentQueries.MaxVolume(empty, r, g, CancellationToken.None);
        Assert.All(r, v => Assert.Equal(0, v));
        var full = Enumerable.Repeat((byte)1, g.Count).ToArray();
        Assert.Equal(1, Lcc(full, g).Count);
    }
}
