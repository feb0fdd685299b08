using VoxScheduler.Images.Kernels;
using VoxScheduler.Operations;
using VoxScheduler.Operations.Builtins;

namespace VoxScheduler.Images.Vox1;

/// <summary>
/// The <c>default</c> primitives on images (IMAGES.md §4): <c>+ - * /</c>, the comparisons,
/// <c>and or not</c>, <c>abs</c>, and <c>min</c>/<c>max</c> of one image, voxel-wise in float32.
/// Registered as <c>default</c>'s extension for images; it declines (returns false) when no
/// argument is an image, so <c>default</c> keeps its scalar meaning.
/// </summary>
internal sealed class ImageArithmetic : IDefaultPrimitiveExtension
{
    public static readonly ImageArithmetic Instance = new();

    private ImageArithmetic()
    {
    }

    /// <inheritdoc />
    public bool TryApply(string primitive, OperationContext context, out object? result)
    {
        var c = context;
        return primitive switch
        {
            "add" => TryBinary(c, "+", c[0], c[1], out result),
            "sub" => TryBinary(c, "-", c[0], c[1], out result),
            "mul" => TryBinary(c, "*", c[0], c[1], out result),
            "div" => TryBinary(c, "/", c[0], c[1], out result),
            "eq" => TryCompare(c, "==", c[0], c[1], out result),
            "neq" => TryCompare(c, "!=", c[0], c[1], out result),
            "lt" => TryCompare(c, "<", c[0], c[1], out result),
            "leq" => TryCompare(c, "<=", c[0], c[1], out result),
            "gt" => TryCompare(c, ">", c[0], c[1], out result),
            "geq" => TryCompare(c, ">=", c[0], c[1], out result),
            "and" => TryLogic(c, isAnd: true, out result),
            "or" => TryLogic(c, isAnd: false, out result),
            "not" => TryNot(c, out result),
            "abs" => TryAbs(c, out result),
            "min" => TryExtreme(c, isMax: false, out result),
            "max" => TryExtreme(c, isMax: true, out result),
            _ => Decline(out result),
        };
    }

    private static bool Decline(out object? result)
    {
        result = null;
        return false;
    }

    private static bool TryBinary(OperationContext c, string symbol, object? a, object? b, out object? result)
    {
        result = null;
        if (a is not Image && b is not Image) return false;
        result = symbol switch
        {
            "+" => Arith<FloatOps.Add>(c, symbol, a, b),
            "-" => Arith<FloatOps.Sub>(c, symbol, a, b),
            "*" => Arith<FloatOps.Mul>(c, symbol, a, b),
            "/" => Arith<FloatOps.Div>(c, symbol, a, b),
            _ => throw c.Fail($"'{symbol}' is not defined on images."),
        };
        return true;
    }

    private static bool TryCompare(OperationContext c, string symbol, object? a, object? b, out object? result)
    {
        result = null;
        if (a is not Image && b is not Image) return false;
        result = symbol switch
        {
            "==" => Compare<FloatOps.Eq>(c, symbol, a, b),
            "!=" => Compare<FloatOps.Neq>(c, symbol, a, b),
            "<" => Compare<FloatOps.Lt>(c, symbol, a, b),
            "<=" => Compare<FloatOps.Leq>(c, symbol, a, b),
            ">" => Compare<FloatOps.Gt>(c, symbol, a, b),
            ">=" => Compare<FloatOps.Geq>(c, symbol, a, b),
            _ => throw c.Fail($"'{symbol}' is not defined on images."),
        };
        return true;
    }

    /// <summary><c>and</c> (<paramref name="isAnd"/>) or <c>or</c> of two boolean images.</summary>
    private static bool TryLogic(OperationContext c, bool isAnd, out object? result)
    {
        result = null;
        if (c[0] is not Image && c[1] is not Image) return false;
        var a = ImageArguments.Boolean(c, 0);
        var b = ImageArguments.Boolean(c, 1);
        ImageArguments.SameSize(c, a, b);
        using var dst = RentedVoxels.Booleans(a.VoxelCount);
        if (isAnd) VoxelLogic.And(a.Booleans, b.Booleans, dst.Bytes, c.CancellationToken);
        else VoxelLogic.Or(a.Booleans, b.Booleans, dst.Bytes, c.CancellationToken);
        result = a.WithRented(dst);
        return true;
    }

    private static bool TryNot(OperationContext c, out object? result)
    {
        result = null;
        if (c[0] is not Image) return false;
        var a = ImageArguments.Boolean(c, 0);
        using var dst = RentedVoxels.Booleans(a.VoxelCount);
        VoxelLogic.Not(a.Booleans, dst.Bytes, c.CancellationToken);
        result = a.WithRented(dst);
        return true;
    }

    private static bool TryAbs(OperationContext c, out object? result)
    {
        result = null;
        if (c[0] is not Image) return false;
        var a = ImageArguments.Number(c, 0);
        using var dst = RentedVoxels.Numbers(a.VoxelCount);
        VoxelArithmetic.Abs(a.Numbers, dst.Floats, c.CancellationToken);
        result = a.WithRented(dst);
        return true;
    }

    /// <summary><c>min(i)</c> / <c>max(i)</c>: the image's smallest or largest voxel, as a number.</summary>
    private static bool TryExtreme(OperationContext c, bool isMax, out object? result)
    {
        result = null;
        if (c[0] is not Image) return false;
        var a = ImageArguments.Number(c, 0);
        var (min, max) = VoxelReductions.MinMax(a.Numbers, c.CancellationToken);
        result = (double)(isMax ? max : min);
        return true;
    }

    private static Image Arith<TOp>(OperationContext c, string symbol, object? a, object? b) where TOp : IFloatBinary
    {
        switch (a, b)
        {
            case (Image x, Image y):
            {
                var (ix, iy) = (ImageArguments.Number(c, 0), ImageArguments.Number(c, 1));
                ImageArguments.SameSize(c, ix, iy);
                using var dst = RentedVoxels.Numbers(x.VoxelCount);
                VoxelArithmetic.Binary<TOp>(ix.Numbers, iy.Numbers, dst.Floats, c.CancellationToken);
                return x.WithRented(dst);
            }

            case (Image, _):
            {
                var ix = ImageArguments.Number(c, 0);
                using var dst = RentedVoxels.Numbers(ix.VoxelCount);
                VoxelArithmetic.WithScalar<TOp>(ix.Numbers, Scalar(c, symbol, 1), scalarFirst: false, dst.Floats, c.CancellationToken);
                return ix.WithRented(dst);
            }

            default:
            {
                var iy = ImageArguments.Number(c, 1);
                using var dst = RentedVoxels.Numbers(iy.VoxelCount);
                VoxelArithmetic.WithScalar<TOp>(iy.Numbers, Scalar(c, symbol, 0), scalarFirst: true, dst.Floats, c.CancellationToken);
                return iy.WithRented(dst);
            }
        }
    }

    private static Image Compare<TCmp>(OperationContext c, string symbol, object? a, object? b) where TCmp : IFloatCompare
    {
        switch (a, b)
        {
            case (Image x, Image _):
            {
                var (ix, iy) = (ImageArguments.Number(c, 0), ImageArguments.Number(c, 1));
                ImageArguments.SameSize(c, ix, iy);
                using var dst = RentedVoxels.Booleans(x.VoxelCount);
                VoxelArithmetic.Compare<TCmp>(ix.Numbers, iy.Numbers, dst.Bytes, c.CancellationToken);
                return x.WithRented(dst);
            }

            case (Image, _):
            {
                var ix = ImageArguments.Number(c, 0);
                using var dst = RentedVoxels.Booleans(ix.VoxelCount);
                VoxelArithmetic.CompareScalar<TCmp>(ix.Numbers, Scalar(c, symbol, 1), scalarFirst: false, dst.Bytes, c.CancellationToken);
                return ix.WithRented(dst);
            }

            default:
            {
                var iy = ImageArguments.Number(c, 1);
                using var dst = RentedVoxels.Booleans(iy.VoxelCount);
                VoxelArithmetic.CompareScalar<TCmp>(iy.Numbers, Scalar(c, symbol, 0), scalarFirst: true, dst.Bytes, c.CancellationToken);
                return iy.WithRented(dst);
            }
        }
    }

    private static float Scalar(OperationContext c, string symbol, int index) =>
        Arithmetic.TryNumber(c[index], out var n)
            ? (float)n
            : throw c.Fail($"'{symbol}' combines an image with a number or an image of the same size, not with {Values.ValueCodec.TypeName(c[index])}.");
}
