using VoxScheduler.Images.Kernels;
using VoxScheduler.Operations;

namespace VoxScheduler.Images.Vox1;

/// <summary>
/// The <c>vox1</c> namespace of IMAGES.md §4: VoxLogicA's spatial-logic primitives on images.
/// Its standard library (§5) is ImgQL embedded in the engine (<see cref="Vox1Library"/>).
/// </summary>
internal static class Vox1Namespace
{
    /// <summary>The namespace name programs import.</summary>
    public const string Name = "vox1";

    /// <summary>Adds every operation of the namespace and its standard library.</summary>
    public static void Register(OperationRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry.RegisterRange(Create());
        registry.RegisterLibrary(Vox1Library.Instance);
    }

    private static Operation Op(string name, int arity, string description, Func<OperationContext, object?> body) =>
        Operation.Create(Name + "." + name, arity, arity, body, 1, Purity.Pure, description);

    /// <summary>
    /// A form that needs a shape (IMAGES.md §3): the node always carries the base image as its last
    /// argument; the bare form (one argument fewer) gets the base in scope from the reducer.
    /// </summary>
    private static Operation Shaped(string name, int arity, string description, Func<OperationContext, object?> body) =>
        Operation.Create(Name + "." + name, arity, arity, body, 1, Purity.Pure, description, baseFormArity: arity - 1);

    private static IEnumerable<Operation> Create()
    {
        // shapes (IMAGES.md §3: the base image is the last argument)
        yield return Shaped("tt", 1, "tt(base): the boolean image true everywhere, shaped like base (bare tt: the base in scope).", c => Fill(c, 0, true));
        yield return Shaped("ff", 1, "ff(base): the boolean image false everywhere, shaped like base.", c => Fill(c, 0, false));
        yield return Shaped("bconstant", 2, "bconstant(b, base): the boolean image b everywhere, shaped like base.", c => Fill(c, 1, c.Boolean(0)));
        yield return Shaped("constant", 2, "constant(k, base): the number image k (as float32) everywhere, shaped like base.", Constant);
        yield return Shaped("border", 1, "border(base): true where any index is 0 or size − 1.", c => WithBooleans(c, ImageArguments.Any(c, 0), (d, g) => Coordinates.Border(d, g)));
        yield return Shaped("x", 1, "x(base): each voxel's index along x.", c => Axis(c, 0));
        yield return Shaped("y", 1, "y(base): each voxel's index along y.", c => Axis(c, 1));
        yield return Shaped("z", 1, "z(base): each voxel's index along z.", c => Axis(c, 2));

        // spatial
        yield return Op("near", 1, "near(a): dilation by the 3×3×3 box (26 neighbours; outside the image is false).",
            c => Morph(c, dilate: true));
        yield return Op("interior", 1, "interior(a): erosion by the 3×3×3 box (= not near not a; the image edge does not erode).",
            c => Morph(c, dilate: false));
        yield return Op("through", 2, "through(a, b): the voxels of b whose 26-connected component in b contains a voxel of a.", Through);
        yield return Op("lcc", 1, "lcc(a): 26-connected component labels 1..k in raster order of first voxels, background 0.", Lcc);
        yield return Op("Lcc", 1, "Lcc(a): alias of lcc.", Lcc);
        yield return Op("maxvol", 1, "maxvol(a): the union of the largest components of a (all of them on a tie).", MaxVol);
        yield return Op("volume", 1, "volume(a): the number of true voxels.", c => (double)VoxelLogic.Count(ImageArguments.Boolean(c, 0).Booleans));
        yield return Op("vol", 1, "vol(a): alias of volume.", c => (double)VoxelLogic.Count(ImageArguments.Boolean(c, 0).Booleans));
        yield return Op("dt", 1, "dt(a): signed Euclidean distance in physical units (ITK's signed Maurer map): outside positive, inside negative, contour 0.", Dt);

        // models and colours
        yield return Op("intensity", 1, "intensity(m): a number image itself; a colour image's 0.2126 R + 0.7152 G + 0.0722 B.", Colours.Intensity);
        yield return Op("red", 1, "red(m): component 0 of a colour image (a number image itself).", c => Colours.Component(c, 0));
        yield return Op("green", 1, "green(m): component 1 of a colour image (a number image itself).", c => Colours.Component(c, 1));
        yield return Op("blue", 1, "blue(m): component 2 of a colour image (a number image itself).", c => Colours.Component(c, 2));
        yield return Op("alpha", 1, "alpha(m): component 3 of an RGBA image; 255 for an image without alpha.", c => Colours.Component(c, 3));
        yield return Op("rgb", 3, "rgb(r, g, b): a colour image from three number images.", Colours.Compose);
        yield return Op("rgba", 4, "rgba(r, g, b, a): an RGBA image from four number images.", Colours.Compose);

        // thresholds (VoxLogicA 1's .= .<= .>= read \"n op i\")
        yield return Op("eq_sv", 2, "eq_sv(n, i): i = n, voxel-wise (n as float32).", c => ScalarCompare<FloatOps.Eq>(c));
        yield return Op("geq_sv", 2, "geq_sv(n, i): i ≥ n, voxel-wise (VoxLogicA 1's n .<= i).", c => ScalarCompare<FloatOps.Geq>(c));
        yield return Op("leq_sv", 2, "leq_sv(n, i): i ≤ n, voxel-wise (VoxLogicA 1's n .>= i).", c => ScalarCompare<FloatOps.Leq>(c));
        yield return Op("between", 3, "between(n1, n2, i): n1 ≤ i ≤ n2, voxel-wise.", Between);

        // statistics
        yield return Op("avg", 2, "avg(i, b): the mean of i over the mask b (in double); an empty mask is an error.", c => Average(c, emptyIsError: true));
        yield return Op("avg0", 2, "avg0(i, b): the mean of i over the mask b; 0 for an empty mask.", c => Average(c, emptyIsError: false));
        yield return Op("mask", 2, "mask(i, b): i where b, else 0.", Mask);
        yield return Op("percentiles", 3, "percentiles(i, b, k): for v in b, (#{w in b: i(w) < i(v)} + k·#{w in b: i(w) = i(v)}) / #b; −1 outside b.", Percentile);
        yield return Operation.Create(Name + ".crossCorrelation", 7, 7, Texture.CrossCorrelation, 1, Purity.Pure,
            "crossCorrelation(r, a, b, fb, m1, m2, nbins): per voxel, Pearson correlation of a's histogram in a box window of radius r (mm) with b's histogram over fb; nbins bins over [m1, m2).");
    }

    private static Image Fill(OperationContext c, int baseIndex, bool value)
    {
        var shape = ImageArguments.Any(c, baseIndex);
        using var voxels = RentedVoxels.Booleans(shape.VoxelCount);
        if (value) voxels.Bytes.Fill(1);
        return shape.WithRented(voxels);
    }

    private static Image Constant(OperationContext c)
    {
        var k = ImageArguments.Scalar(c, 0);
        var shape = ImageArguments.Any(c, 1);
        using var voxels = RentedVoxels.Numbers(shape.VoxelCount);
        voxels.Floats.Fill(k);
        return shape.WithRented(voxels);
    }

    private static Image Axis(OperationContext c, int axis)
    {
        var shape = ImageArguments.Any(c, 0);
        using var voxels = RentedVoxels.Numbers(shape.VoxelCount);
        Coordinates.Index(voxels.Floats, ImageArguments.Grid(shape), axis);
        return shape.WithRented(voxels);
    }

    private static Image WithBooleans(OperationContext c, Image shape, System.Buffers.SpanAction<byte, VoxelGrid> kernel)
    {
        using var voxels = RentedVoxels.Booleans(shape.VoxelCount);
        kernel(voxels.Bytes, ImageArguments.Grid(shape));
        return shape.WithRented(voxels);
    }

    private static Image Morph(OperationContext c, bool dilate)
    {
        var a = ImageArguments.Boolean(c, 0);
        using var dst = RentedVoxels.Booleans(a.VoxelCount);
        if (dilate) BoxMorphology.Near(a.Booleans, dst.Bytes, ImageArguments.Grid(a), c.CancellationToken);
        else BoxMorphology.Interior(a.Booleans, dst.Bytes, ImageArguments.Grid(a), c.CancellationToken);
        return a.WithRented(dst);
    }

    private static Image Through(OperationContext c)
    {
        var a = ImageArguments.Boolean(c, 0);
        var b = ImageArguments.Boolean(c, 1);
        ImageArguments.SameSize(c, a, b);
        using var dst = RentedVoxels.Booleans(a.VoxelCount);
        ComponentQueries.Through(a.Booleans, b.Booleans, dst.Bytes, ImageArguments.Grid(b), c.CancellationToken);
        return b.WithRented(dst);
    }

    private static Image Lcc(OperationContext c)
    {
        var a = ImageArguments.Boolean(c, 0);
        using var dst = RentedVoxels.Numbers(a.VoxelCount);
        ComponentQueries.Labels(a.Booleans, dst.Floats, ImageArguments.Grid(a), c.CancellationToken);
        return a.WithRented(dst);
    }

    private static Image MaxVol(OperationContext c)
    {
        var a = ImageArguments.Boolean(c, 0);
        using var dst = RentedVoxels.Booleans(a.VoxelCount);
        ComponentQueries.MaxVolume(a.Booleans, dst.Bytes, ImageArguments.Grid(a), c.CancellationToken);
        return a.WithRented(dst);
    }

    private static Image Dt(OperationContext c)
    {
        var a = ImageArguments.Boolean(c, 0);
        using var dst = RentedVoxels.Numbers(a.VoxelCount);
        DistanceTransform.Signed(a.Booleans, dst.Floats, ImageArguments.Grid(a), c.CancellationToken);
        return a.WithRented(dst);
    }

    private static Image ScalarCompare<TCmp>(OperationContext c) where TCmp : IFloatCompare
    {
        var n = ImageArguments.Scalar(c, 0);
        var i = ImageArguments.Number(c, 1);
        using var dst = RentedVoxels.Booleans(i.VoxelCount);
        VoxelArithmetic.CompareScalar<TCmp>(i.Numbers, n, scalarFirst: false, dst.Bytes, c.CancellationToken);
        return i.WithRented(dst);
    }

    private static Image Between(OperationContext c)
    {
        var low = ImageArguments.Scalar(c, 0);
        var high = ImageArguments.Scalar(c, 1);
        var i = ImageArguments.Number(c, 2);
        using var dst = RentedVoxels.Booleans(i.VoxelCount);
        VoxelArithmetic.Between(i.Numbers, low, high, dst.Bytes, c.CancellationToken);
        return i.WithRented(dst);
    }

    private static double Average(OperationContext c, bool emptyIsError)
    {
        var i = ImageArguments.Number(c, 0);
        var b = ImageArguments.Boolean(c, 1);
        ImageArguments.SameSize(c, i, b);
        var (sum, count) = VoxelReductions.MaskedSum(i.Numbers, b.Booleans, c.CancellationToken);
        if (count == 0) return emptyIsError ? throw c.Fail("the mask is empty, so the mean is undefined (avg0 gives 0 instead).") : 0d;
        return sum / count;
    }

    private static Image Mask(OperationContext c)
    {
        var i = ImageArguments.Number(c, 0);
        var b = ImageArguments.Boolean(c, 1);
        ImageArguments.SameSize(c, i, b);
        using var dst = RentedVoxels.Numbers(i.VoxelCount);
        VoxelLogic.Mask(i.Numbers, b.Booleans, dst.Floats, c.CancellationToken);
        return i.WithRented(dst);
    }

    private static Image Percentile(OperationContext c)
    {
        var i = ImageArguments.Number(c, 0);
        var b = ImageArguments.Boolean(c, 1);
        var k = c.Number(2);
        ImageArguments.SameSize(c, i, b);
        using var dst = RentedVoxels.Numbers(i.VoxelCount);
        Percentiles.Compute(i.Numbers, b.Booleans, k, dst.Floats, c.CancellationToken);
        return i.WithRented(dst);
    }
}
