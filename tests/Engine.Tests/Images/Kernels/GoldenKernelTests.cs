using VoxScheduler.Images;
using VoxScheduler.Images.Kernels;

namespace VoxScheduler.Tests.Images.Kernels;

/// <summary>
/// The kernels against scipy.ndimage, an implementation independent of ours: the fixtures in
/// tests/fixtures/images/golden were written by make-golden.py there (binary_dilation,
/// binary_erosion with border_value=1 and label, all with the full 3×3×3 structure, and ITK's
/// signed distance from two distance_transform_edt with sampling = spacing).
/// </summary>
public sealed class GoldenKernelTests
{
    public static TheoryData<string> Cases => new() { "noise3d", "blobs3d", "edge3d", "noise2d" };

    private static Image Golden(string name, string output) =>
        Assert.IsType<Image>(ImageFixtures.Load(ImageFixtures.File("golden", $"{name}-{output}.nii.gz")));

    private static (byte[] Mask, VoxelGrid Grid) Input(string name)
    {
        var image = Golden(name, "mask");
        var g = image.Geometry;
        var grid = new VoxelGrid(g.Width, g.Height, g.Depth, g.Spacing.X, g.Spacing.Y, g.Spacing.Z);
        var mask = image.Numbers.ToArray().Select(v => (byte)v).ToArray();
        Assert.Contains((byte)1, mask);
        Assert.Contains((byte)0, mask);
        return (mask, grid);
    }

    private static byte[] Bytes(Image image) => image.Numbers.ToArray().Select(v => (byte)v).ToArray();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Near_is_scipys_binary_dilation(string name)
    {
        var (mask, grid) = Input(name);
        var near = new byte[grid.Count];
        BoxMorphology.Near(mask, near, grid, CancellationToken.None);
        Assert.Equal(Bytes(Golden(name, "near")), near);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Interior_is_scipys_binary_erosion_with_border_value_1(string name)
    {
        var (mask, grid) = Input(name);
        var interior = new byte[grid.Count];
        BoxMorphology.Interior(mask, interior, grid, CancellationToken.None);
        var expected = Bytes(Golden(name, "interior"));
        if (!name.StartsWith("noise", StringComparison.Ordinal)) Assert.Contains((byte)1, expected); // 30 % noise has no interior; the others exercise erosion
        Assert.Equal(expected, interior);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Lcc_is_scipys_label_in_raster_order(string name)
    {
        var (mask, grid) = Input(name);
        var labels = new int[grid.Count];
        var count = ConnectedComponents.Label(mask, labels, grid, CancellationToken.None);
        var expected = Golden(name, "lcc").Numbers.ToArray().Select(v => (int)v).ToArray();
        Assert.Equal(expected.Max(), count);
        Assert.Equal(expected, labels);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Dt_is_the_signed_distance_from_scipys_exact_transforms(string name)
    {
        var (mask, grid) = Input(name);
        var dt = new float[grid.Count];
        DistanceTransform.Signed(mask, dt, grid, CancellationToken.None);
        var expected = Golden(name, "dt").Numbers;
        if (!name.StartsWith("noise", StringComparison.Ordinal)) Assert.Contains(expected.ToArray(), v => v < 0); // 30 % noise has no inside beyond its contour
        for (var i = 0; i < dt.Length; i++)
        {
            // Both are exact up to float32 rounding of the square root.
            Assert.True(Math.Abs(dt[i] - expected[i]) <= 1e-5f * Math.Max(1f, Math.Abs(expected[i])),
                $"{name}: voxel {i} (x {i % grid.Nx}, y {i / grid.Nx % grid.Ny}, z {i / grid.Plane}) is {dt[i]}, scipy gives {expected[i]}");
        }
    }
}
