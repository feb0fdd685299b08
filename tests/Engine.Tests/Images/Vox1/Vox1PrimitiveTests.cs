using VoxScheduler.Dag;
using VoxScheduler.Images;
using VoxScheduler.Operations;
using static VoxScheduler.Tests.Images.Vox1.ImageFixtures;

namespace VoxScheduler.Tests.Images.Vox1;

/// <summary>Each primitive of IMAGES.md §4 as an operation, on tiny images with known answers.</summary>
public sealed class Vox1PrimitiveTests
{
    private static object? Call(string name, params object?[] args)
    {
        Assert.True(Registry.TryGet(name, out var op), name);
        var context = new OperationContext(op, NodeId.Empty, args, null, OperationEnvironment.Default, CancellationToken.None);
        return op.ExecuteAsync(context).AsTask().GetAwaiter().GetResult().Value;
    }

    private static string Fails(string name, params object?[] args) => Assert.ThrowsAny<Exception>(() => Call(name, args)).Message;

    [Fact]
    public void Shapes_take_the_size_and_geometry_of_their_base()
    {
        var geometry = ImageGeometry.Create(3, 3, 2, 2, new Vector3D(1, 1, 2.5));
        var b = Image.FromNumbers(geometry, new float[12]);
        var tt = Assert.IsType<Image>(Call("vox1.tt", b));
        Assert.Same(geometry, tt.Geometry);
        Assert.All(tt.Booleans.ToArray(), v => Assert.Equal(1, v));
        Assert.All(Booleans(Call("vox1.ff", b)), v => Assert.Equal(0, v));
        Assert.All(Booleans(Call("vox1.bconstant", true, b)), v => Assert.Equal(1, v));
        Assert.All(Numbers(Call("vox1.constant", 0.1, b)), v => Assert.Equal(0.1f, v));
        Assert.Equal(new float[] { 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2 }, Numbers(Call("vox1.x", b)));
        Assert.Equal(new float[] { 0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1 }, Numbers(Call("vox1.y", b)));
        Assert.Equal(new float[] { 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1 }, Numbers(Call("vox1.z", b)));
        Assert.All(Booleans(Call("vox1.border", b)), v => Assert.Equal(1, v)); // every voxel of a 3×2×2 image is on its border
    }

    [Fact]
    public void Spatial_primitives_on_a_cube()
    {
        var cube = Image.FromBooleans(ImageGeometry.Of3D(7, 7, 7), CubeVoxels(7, 1, 5));
        Assert.Equal(125d, Call("vox1.volume", cube));
        Assert.Equal(27d, Call("vox1.vol", Call("vox1.interior", cube)));
        Assert.Equal(7d * 7 * 7, Call("vox1.volume", Call("vox1.near", cube)));
        var labels = Numbers(Call("vox1.lcc", cube));
        Assert.Equal(1f, labels.Max());
        Assert.Equal(labels, Numbers(Call("vox1.Lcc", cube)));
        var dt = Numbers(Call("vox1.dt", cube));
        Assert.Equal(-2f, dt[3 + 7 * (3 + 7 * 3)]);
        Assert.Equal(1f, dt[0 + 7 * (3 + 7 * 3)]);
    }

    [Fact]
    public void Through_takes_the_seed_first_and_the_region_second()
    {
        var region = Mask(1, 1, 0, 1, 1);
        var seed = Mask(0, 0, 0, 0, 1);
        Assert.Equal(new byte[] { 0, 0, 0, 1, 1 }, Booleans(Call("vox1.through", seed, region)));
        Assert.Equal(new byte[] { 1, 1, 0, 0, 0 }, Booleans(Call("vox1.maxvol", Mask(1, 1, 0, 1, 0))));
    }

    [Fact]
    public void Thresholds_read_n_before_i_as_voxlogica_1()
    {
        var i = Row(1, 2, 3);
        Assert.Equal(new byte[] { 0, 1, 1 }, Booleans(Call("vox1.geq_sv", 2.0, i)));
        Assert.Equal(new byte[] { 1, 1, 0 }, Booleans(Call("vox1.leq_sv", 2.0, i)));
        Assert.Equal(new byte[] { 0, 1, 0 }, Booleans(Call("vox1.eq_sv", 2.0, i)));
        Assert.Equal(new byte[] { 1, 1, 0 }, Booleans(Call("vox1.between", 1.0, 2.0, i)));
        // Scalars meet images in float32: 0.1 as float32 equals the voxel 0.1f.
        Assert.Equal(new byte[] { 1 }, Booleans(Call("vox1.eq_sv", 0.1, Row(0.1f))));
    }

    [Fact]
    public void Averages_masks_and_percentiles()
    {
        var i = Row(1, 2, 3, 10);
        Assert.Equal(2d, Call("vox1.avg", i, Mask(1, 1, 1, 0)));
        Assert.Contains("empty", Fails("vox1.avg", i, Mask(0, 0, 0, 0)));
        Assert.Equal(0d, Call("vox1.avg0", i, Mask(0, 0, 0, 0)));
        Assert.Equal(new float[] { 1, 0, 3, 0 }, Numbers(Call("vox1.mask", i, Mask(1, 0, 1, 0))));
        Assert.Equal(new float[] { 0.5f / 3, 1.5f / 3, -1, 2.5f / 3 }, Numbers(Call("vox1.percentiles", i, Mask(1, 1, 0, 1), 0.5)));
    }

    [Fact]
    public void Colours_compose_and_decompose()
    {
        var rgb = Assert.IsType<Image>(Call("vox1.rgb", Row(10, 0), Row(20, 0), Row(30, 100)));
        Assert.Equal(VoxelKind.Rgb, rgb.Kind);
        Assert.Equal(new float[] { 10, 0 }, Numbers(Call("vox1.red", rgb)));
        Assert.Equal(new float[] { 30, 100 }, Numbers(Call("vox1.blue", rgb)));
        Assert.Equal(new float[] { 255, 255 }, Numbers(Call("vox1.alpha", rgb)));
        Assert.Equal(0.2126f * 10 + 0.7152f * 20 + 0.0722f * 30, Numbers(Call("vox1.intensity", rgb))[0], 4);
        var rgba = Assert.IsType<Image>(Call("vox1.rgba", Row(1), Row(2), Row(3), Row(4)));
        Assert.Equal(new float[] { 4 }, Numbers(Call("vox1.alpha", rgba)));
        var gray = Row(7);
        Assert.Same(gray, Call("vox1.intensity", gray));
    }

    [Fact]
    public void Cross_correlation_checks_its_arguments()
    {
        var i = Row(1, 2, 3, 4);
        var all = Mask(1, 1, 1, 1);
        Assert.Contains("m2", Fails("vox1.crossCorrelation", 1.0, i, i, all, 3.0, 3.0, 4.0));
        Assert.Contains("bins", Fails("vox1.crossCorrelation", 1.0, i, i, all, 0.0, 5.0, 2.5));
        var r = Numbers(Call("vox1.crossCorrelation", 1.0, i, i, all, 1.0, 5.0, 4.0));
        Assert.Equal(4, r.Length);
    }

    [Fact]
    public void Default_primitives_work_voxel_wise_on_images()
    {
        var a = Row(1, -2, 4);
        var b = Row(2, 2, 0);
        Assert.Equal(new float[] { 3, 0, 4 }, Numbers(Call("default.add", a, b)));
        Assert.Equal(new float[] { -0.5f, -3.5f, 2.5f }, Numbers(Call("default.sub", a, 1.5)));
        Assert.Equal(new float[] { 0, 3, -3 }, Numbers(Call("default.sub", 1.0, a)));
        Assert.Equal(new float[] { 0.5f, -1, float.PositiveInfinity }, Numbers(Call("default.div", a, b))); // IEEE, not an error
        Assert.Equal(new float[] { 2, -4, 8 }, Numbers(Call("default.mul", 2.0, a)));
        Assert.Equal(new float[] { 1, 2, 4 }, Numbers(Call("default.abs", a)));
        Assert.Equal(-2d, Call("default.min", a));
        Assert.Equal(4d, Call("default.max", a));
        Assert.Equal(new byte[] { 1, 1, 0 }, Booleans(Call("default.lt", a, b)));
        Assert.Equal(new byte[] { 1, 0, 1 }, Booleans(Call("default.geq", a, 1.0)));
        Assert.Equal(new byte[] { 0, 1, 0 }, Booleans(Call("default.eq", -2.0, a)));
        Assert.Equal(new byte[] { 1, 0, 1 }, Booleans(Call("default.neq", a, -2.0)));
        Assert.Equal(new byte[] { 0, 1, 0 }, Booleans(Call("default.and", Mask(1, 1, 0), Mask(0, 1, 0))));
        Assert.Equal(new byte[] { 1, 1, 0 }, Booleans(Call("default.or", Mask(1, 0, 0), Mask(0, 1, 0))));
        Assert.Equal(new byte[] { 0, 1, 1 }, Booleans(Call("default.not", Mask(1, 0, 0))));
        // Scalars keep their meaning.
        Assert.Equal(3d, Call("default.add", 1.0, 2.0));
        Assert.Equal(false, Call("default.not", true));
        Assert.Contains("division by zero", Fails("default.div", 1.0, 0.0));
    }

    [Fact]
    public void Mismatched_images_are_clear_errors()
    {
        Assert.Contains("different sizes (3×1 and 2×1)", Fails("default.add", Row(1, 2, 3), Row(1, 2)));
        Assert.Contains("must be a boolean image", Fails("vox1.near", Row(1)));
        Assert.Contains("must be a number image", Fails("default.add", Mask(1), 1.0));
        Assert.Contains("must be a boolean image", Fails("default.and", Mask(1), Row(1)));
        Assert.Contains("must be an image", Fails("vox1.tt", 1.0));
        Assert.Contains("a number or an image", Fails("default.add", Row(1), "text"));
    }

    private static byte[] CubeVoxels(int n, int lo, int hi)
    {
        var v = new byte[n * n * n];
        for (var z = lo; z <= hi; z++)
        for (var y = lo; y <= hi; y++)
        for (var x = lo; x <= hi; x++)
        {
            v[x + n * (y + n * z)] = 1;
        }

        return v;
    }
}
