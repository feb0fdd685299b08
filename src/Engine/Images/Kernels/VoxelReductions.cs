using System.Numerics;
using System.Runtime.CompilerServices;

namespace VoxScheduler.Images.Kernels;

/// <summary>Reductions of a number image to a number: min, max, and the mean over a mask accumulated in double (IMAGES.md §4).</summary>
internal static class VoxelReductions
{
    // The loops here run a few times per node, far fewer than tiering waits for: compiled fully
    // optimised on first call, as VoxelSimd's are (see there). Small per-voxel helpers inline.
    /// <summary>Smallest and largest voxel (NaN voxels are skipped; an image of NaN only gives NaN).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (float Min, float Max) MinMax(ReadOnlySpan<float> a, CancellationToken cancellationToken)
    {
        if (a.IsEmpty) throw new ArgumentException("an image has at least one voxel.", nameof(a));
        var min = float.PositiveInfinity;
        var max = float.NegativeInfinity;
        var w = Vector<float>.Count;
        var vmin = new Vector<float>(min);
        var vmax = new Vector<float>(max);
        var i = 0;
        var sawNaN = false;
        for (var block = 0; i < a.Length; block++)
        {
            if ((block & 63) == 0) cancellationToken.ThrowIfCancellationRequested();
            var end = Math.Min(a.Length, i + VoxelArithmetic.Chunk);
            for (; i <= end - w; i += w)
            {
                var v = new Vector<float>(a[i..]);
                // A NaN lane fails v == v; those lanes are replaced so Min/Max never see a NaN.
                var ok = Vector.Equals(v, v);
                sawNaN |= !Vector.EqualsAll(ok, new Vector<int>(-1));
                vmin = Vector.Min(vmin, Vector.ConditionalSelect(ok, v, vmin));
                vmax = Vector.Max(vmax, Vector.ConditionalSelect(ok, v, vmax));
            }

            for (; i < end; i++)
            {
                var x = a[i];
                if (float.IsNaN(x)) { sawNaN = true; continue; }
                if (x < min) min = x;
                if (x > max) max = x;
            }
        }

        for (var l = 0; l < w; l++)
        {
            min = Math.Min(min, vmin[l]);
            max = Math.Max(max, vmax[l]);
        }

        return sawNaN && min > max ? (float.NaN, float.NaN) : (min, max);
    }

    /// <summary>Sum (in double) and count of the voxels of <paramref name="a"/> where <paramref name="b"/> is true.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (double Sum, long Count) MaskedSum(ReadOnlySpan<float> a, ReadOnlySpan<byte> b, CancellationToken cancellationToken)
    {
        VoxelArithmetic.CheckSameLength(a.Length, b.Length, b.Length);
        double sum = 0;
        long count = 0;
        for (var start = 0; start < a.Length; start += VoxelArithmetic.Chunk)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var end = Math.Min(a.Length, start + VoxelArithmetic.Chunk);
            // Per-chunk double partial sums: accumulating each chunk separately keeps the rounding
            // error of a 10-million-voxel sum small without Kahan summation.
            double part = 0;
            for (var i = start; i < end; i++)
            {
                if (b[i] != 0) { part += a[i]; count++; }
            }

            sum += part;
        }

        return (sum, count);
    }
}
