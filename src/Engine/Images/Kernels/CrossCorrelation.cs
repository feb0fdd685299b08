using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace VoxScheduler.Images.Kernels;

/// <summary>
/// <c>crossCorrelation(r, a, b, fb, m1, m2, nbins)</c> (IMAGES.md §4): at each voxel, the Pearson
/// correlation between the histogram of a in a box window around the voxel (per-axis radius
/// max(1, round(r / spacing)), clipped at the image edge) and the histogram of b over fb.
/// </summary>
/// <remarks>
/// Window histograms are incremental, plane by plane (planes run in parallel): a per-x histogram
/// of the (y, z) window column slides along y by adding the entering row and removing the leaving
/// one, and the voxel's histogram slides along x by adding and removing those column histograms.
/// The loop that slides the window also accumulates Σh² and Σh·g, so each voxel costs O(nbins)
/// whatever the radius.
/// </remarks>
internal static class CrossCorrelation
{
    /// <summary>Most bins accepted (the per-voxel cost is linear in it).</summary>
    public const int MaxBins = 10_000;

    // The loops here run a few times per node, far fewer than tiering waits for: compiled fully
    // optimised on first call, as VoxelSimd's are (see there). Small per-voxel helpers inline.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Compute(double radius, ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<byte> fb,
        double m1, double m2, int nbins, Span<float> dst, VoxelGrid grid, CancellationToken cancellationToken)
    {
        grid.CheckLength(a, nameof(a));
        grid.CheckLength(b, nameof(b));
        grid.CheckLength(fb, nameof(fb));
        grid.CheckLength(dst, nameof(dst));
        if (nbins < 1 || nbins > MaxBins) throw new ArgumentOutOfRangeException(nameof(nbins), $"the number of bins must be 1..{MaxBins}, got {nbins}.");
        if (!(m2 > m1)) throw new ArgumentException($"the histogram range [{m1}, {m2}) is empty: m2 must be greater than m1.", nameof(m2));
        if (!(radius >= 0) || double.IsInfinity(radius)) throw new ArgumentOutOfRangeException(nameof(radius), $"the radius must be a finite number ≥ 0, got {radius}.");

        var rx = Radius(radius, grid.Sx);
        var ry = Radius(radius, grid.Sy);
        var rz = Radius(radius, grid.Sz);
        var n = grid.Count;
        // Every voxel's bin, from the voxel pool: exact and shared by every thread, where the runtime's
        // shared array pool rounded it up to a power of two and, returned on another thread than the
        // next case's, let a dataset allocate a fresh one for most cases.
        var binScratch = VoxelScratch.Of<short>(n);
        try
        {
            // The reference histogram of b over fb, and its constant-ness, once.
            var g = new long[nbins];
            for (var i = 0; i < n; i++)
            {
                if (fb[i] == 0) continue;
                var bin = Bin(b[i], m1, m2, nbins);
                if (bin >= 0) g[bin]++;
            }

            long g1 = 0, g2 = 0;
            var gConstant = true;
            foreach (var c in g) { g1 += c; g2 += c * c; gConstant &= c == g[0]; }
            var gg = Array.ConvertAll(g, c => (double)c);
            double varGn = (double)nbins * g2 - (double)g1 * g1;

            unsafe
            {
                fixed (float* pa = a)
                fixed (short* pb = binScratch.As<short>())
                {
                    var xa = (nint)pa;
                    var xb = (nint)pb;
                    Slabs.For(VoxelArithmetic.Chunks(n), VoxelArithmetic.Chunk, cancellationToken, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (c0, c1) =>
                    {
                        var (start, end) = VoxelArithmetic.Range(c0, c1, n);
                        for (var i = start; i < end; i++) ((short*)xb)[i] = (short)Bin(((float*)xa)[i], m1, m2, nbins);
                    });
                }
            }

            // A window count squared must fit an int for the SIMD sums (and a window's Σh an int);
            // larger windows take the scalar loop.
            var windowVoxels = (long)(2 * rx + 1) * (2 * ry + 1) * (2 * rz + 1);
            var vectorSafe = Vector.IsHardwareAccelerated && windowVoxels <= 46_340;

            unsafe
            {
                fixed (float* pd = dst)
                fixed (short* pb = binScratch.As<short>())
                {
                    var xd = (nint)pd;
                    var xb = (nint)pb;
                    var (nx, ny, nz, plane) = (grid.Nx, grid.Ny, grid.Nz, grid.Plane);
                    Slabs.For(nz, (long)plane * nbins, cancellationToken, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (z0, z1) =>
                    {
                        var bins = new ReadOnlySpan<short>((short*)xb, n);
                        var columns = ArrayPool<int>.Shared.Rent(nx * nbins);
                        var window = ArrayPool<int>.Shared.Rent(nbins);
                        var zeros = ArrayPool<int>.Shared.Rent(nbins);
                        try
                        {
                            Array.Clear(zeros, 0, nbins);
                            for (var z = z0; z < z1; z++)
                            {
                                cancellationToken.ThrowIfCancellationRequested();
                                var zlo = Math.Max(0, z - rz);
                                var zhi = Math.Min(nz - 1, z + rz);
                                Array.Clear(columns, 0, nx * nbins);
                                for (var yy = 0; yy <= Math.Min(ny - 1, ry); yy++) AddRow(bins, columns, grid, yy, zlo, zhi, nbins, +1);
                                for (var y = 0; y < ny; y++)
                                {
                                    if (y > 0)
                                    {
                                        if (y + ry < ny) AddRow(bins, columns, grid, y + ry, zlo, zhi, nbins, +1);
                                        if (y - ry - 1 >= 0) AddRow(bins, columns, grid, y - ry - 1, zlo, zhi, nbins, -1);
                                    }

                                    var outRow = new Span<float>((float*)xd + (long)z * plane + (long)y * nx, nx);
                                    SlideRow(columns, window, zeros, gg, g1, varGn, gConstant, nx, rx, nbins, outRow, vectorSafe);
                                }
                            }
                        }
                        finally
                        {
                            ArrayPool<int>.Shared.Return(columns);
                            ArrayPool<int>.Shared.Return(window);
                            ArrayPool<int>.Shared.Return(zeros);
                        }
                    });
                }
            }
        }
        finally
        {
            binScratch.Dispose();
        }
    }

    /// <summary>max(1, round(r / spacing)), rounding half to even as VoxLogicA 1 does.</summary>
    internal static int Radius(double r, double spacing) =>
        (int)Math.Max(1, Math.Min(int.MaxValue / 4, Math.Round(r / spacing, MidpointRounding.ToEven)));

    // Called per voxel and not inlined by the JIT's own choice (it stayed a tier-0 call in perf).
    /// <summary>The bin of v among nbins equal bins over [m1, m2), or −1 when v is outside (or NaN).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Bin(float v, double m1, double m2, int nbins)
    {
        if (!(v >= m1) || !(v < m2)) return -1;
        var bin = (int)Math.Floor((v - m1) / (m2 - m1) * nbins);
        return Math.Min(bin, nbins - 1);
    }

    /// <summary>Adds (sign +1) or removes (−1) row y of the planes zlo..zhi to the per-x column histograms.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddRow(ReadOnlySpan<short> bins, int[] columns, VoxelGrid grid, int y, int zlo, int zhi, int nbins, int sign)
    {
        var nx = grid.Nx;
        for (var z = zlo; z <= zhi; z++)
        {
            var row = grid.Index(0, y, z);
            for (var x = 0; x < nx; x++)
            {
                var bin = bins[row + x];
                if (bin >= 0) columns[x * nbins + bin] += sign;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SlideRow(int[] columns, int[] window, int[] zeros, double[] g, long g1, double varGn, bool gConstant,
        int nx, int rx, int nbins, Span<float> outRow, bool vectorSafe)
    {
        Array.Clear(window, 0, nbins);
        for (var x = 0; x < Math.Min(nx, rx); x++)
        {
            for (var j = 0; j < nbins; j++) window[j] += columns[x * nbins + j];
        }

        for (var x = 0; x < nx; x++)
        {
            var enter = x + rx;
            var leave = x - rx - 1;
            var add = enter < nx ? columns.AsSpan(enter * nbins, nbins) : zeros.AsSpan(0, nbins);
            var rem = leave >= 0 ? columns.AsSpan(leave * nbins, nbins) : zeros.AsSpan(0, nbins);
            var w = window.AsSpan(0, nbins);
            long s1 = 0, s2 = 0;
            double shg = 0;
            var first = w[0] + add[0] - rem[0];
            var hConstant = true;
            var j = 0;
            if (vectorSafe)
            {
                // SIMD over the bins: the window update and the three sums (Σh, Σh², Σh·g) in one pass.
                var vi = Vector<int>.Count;
                var vd = Vector<double>.Count;
                var vs1 = Vector<int>.Zero;
                var vs2 = Vector<long>.Zero;
                var vhg = Vector<double>.Zero;
                var vFirst = new Vector<int>(first);
                var same = Vector<int>.AllBitsSet;
                for (; j <= nbins - vi; j += vi)
                {
                    var c = new Vector<int>(w[j..]) + new Vector<int>(add[j..]) - new Vector<int>(rem[j..]);
                    c.CopyTo(w[j..]);
                    vs1 += c;
                    Vector.Widen(c * c, out var sqLo, out var sqHi); // c ≤ window voxels ≤ 46340: c² fits an int
                    vs2 += sqLo + sqHi;
                    Vector.Widen(c, out var cLo, out var cHi);
                    vhg += Vector.ConvertToDouble(cLo) * new Vector<double>(g.AsSpan(j, vd)) + Vector.ConvertToDouble(cHi) * new Vector<double>(g.AsSpan(j + vd, vd));
                    same &= Vector.Equals(c, vFirst);
                }

                s1 = Vector.Sum(vs1);
                s2 = Vector.Sum(vs2);
                shg = Vector.Sum(vhg);
                hConstant = Vector.EqualsAll(same, Vector<int>.AllBitsSet);
            }

            for (; j < nbins; j++)
            {
                var c = w[j] + add[j] - rem[j];
                w[j] = c;
                s1 += c;
                s2 += (long)c * c;
                shg += c * g[j];
                hConstant &= c == first;
            }

            outRow[x] = Correlation(nbins, s1, s2, shg, g1, varGn, hConstant, gConstant);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] // per voxel, as Bin
    private static float Correlation(int nbins, long s1, long s2, double shg, long g1, double varGn, bool hConstant, bool gConstant)
    {
        if (hConstant || gConstant) return hConstant && gConstant ? 1f : 0f;
        var covN = nbins * shg - (double)s1 * g1;
        var varHn = (double)nbins * s2 - (double)s1 * s1;
        return (float)(covN / Math.Sqrt(varHn * varGn));
    }
}
