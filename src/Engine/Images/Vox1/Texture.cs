using VoxScheduler.Images.Kernels;
using VoxScheduler.Operations;

namespace VoxScheduler.Images.Vox1;

/// <summary><c>crossCorrelation</c> (IMAGES.md §4): argument checks in front of <see cref="CrossCorrelation"/>.</summary>
internal static class Texture
{
    public static object? CrossCorrelation(OperationContext c)
    {
        var radius = c.Number(0);
        var a = ImageArguments.Number(c, 1);
        var b = ImageArguments.Number(c, 2);
        var fb = ImageArguments.Boolean(c, 3);
        ImageArguments.SameSize(c, a, b, fb);
        // m1, m2 meet the images in float32, as every scalar does (IMAGES.md §1).
        double m1 = ImageArguments.Scalar(c, 4);
        double m2 = ImageArguments.Scalar(c, 5);
        var bins = c.Number(6);
        if (!(m2 > m1)) throw c.Fail($"the histogram range is empty: m2 ({m2}) must be greater than m1 ({m1}).");
        if (bins != Math.Floor(bins) || bins < 1 || bins > Images.Kernels.CrossCorrelation.MaxBins)
        {
            throw c.Fail($"the number of bins must be an integral number from 1 to {Images.Kernels.CrossCorrelation.MaxBins}, not {bins}.");
        }

        if (!(radius >= 0) || double.IsInfinity(radius)) throw c.Fail($"the radius must be a finite number ≥ 0, not {radius}.");
        using var dst = RentedVoxels.Numbers(a.VoxelCount);
        Images.Kernels.CrossCorrelation.Compute(radius, a.Numbers, b.Numbers, fb.Booleans, m1, m2, (int)bins, dst.Floats, ImageArguments.Grid(a), c.CancellationToken);
        return a.WithRented(dst);
    }
}
