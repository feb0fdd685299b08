using System.Buffers;
using System.Numerics;

namespace VoxScheduler.Images.Kernels;

/// <summary>
/// <c>dt(a)</c> (IMAGES.md §4): the signed Euclidean distance in physical units, as ITK's signed
/// Maurer map computes it. One exact squared-distance transform over the contour voxels gives
/// both signs: outside a, the nearest voxel of a is always a contour voxel (its 26-neighbour one
/// step towards the query point is closer, so it is not in a), hence "distance to a" and
/// "distance to the contour" agree; inside a, the distance to the contour is the definition.
/// </summary>
/// <remarks>
/// The transform is Felzenszwalb–Huttenlocher's lower envelope of parabolas, separable per axis
/// with the axis spacing, so it is exact (up to float32 rounding of the result) in O(n) per line.
/// Lines are independent, so each pass runs in parallel over lines.
/// </remarks>
internal static class DistanceTransform
{
    /// <summary>ITK's value for "no feature anywhere" (the float nearest 2^64).</summary>
    public const float NoFeature = 18446744073709551616f;

    /// <summary>dst = signed distance map of the mask src.</summary>
    public static void Signed(ReadOnlySpan<byte> src, Span<float> dst, VoxelGrid grid, CancellationToken cancellationToken)
    {
        grid.CheckLength(src, nameof(src));
        grid.CheckLength(dst, nameof(dst));
        var n = grid.Count;
        using (var scratch = VoxelScratch.Of<byte>(n))
        {
            var inside = scratch.As<byte>();
            // contour = a ∧ ¬interior(a): a voxel of a with an in-image neighbour not in a.
            BoxMorphology.Interior(src, inside, grid, cancellationToken);
            var anyContour = Contour(src, inside, cancellationToken);
            if (!anyContour)
            {
                // Without a contour the mask is empty (all outside) or full (all inside).
                dst.Fill(src[0] != 0 ? -NoFeature : NoFeature);
                return;
            }

            SquaredToFeatures(inside, dst, grid, cancellationToken);
        }

        SignedRoots(src, dst, cancellationToken);
    }

    /// <summary>interior := src ∧ ¬interior (the contour), in parallel SIMD chunks; true when any voxel is on it.</summary>
    private static bool Contour(ReadOnlySpan<byte> src, Span<byte> interior, CancellationToken cancellationToken)
    {
        var n = src.Length;
        var any = 0;
        unsafe
        {
            fixed (byte* ps = src, pi = interior)
            {
                var (xs, xi) = ((nint)ps, (nint)pi);
                Slabs.For(VoxelArithmetic.Chunks(n), VoxelArithmetic.Chunk / 4, cancellationToken, (c0, c1) =>
                {
                    var (start, end) = VoxelArithmetic.Range(c0, c1, n);
                    var s = new ReadOnlySpan<byte>((byte*)xs + start, end - start);
                    var c = new Span<byte>((byte*)xi + start, end - start);
                    var w = Vector<byte>.Count;
                    var acc = Vector<byte>.Zero;
                    var i = 0;
                    for (; i <= s.Length - w; i += w)
                    {
                        var v = Vector.AndNot(new Vector<byte>(s[i..]), new Vector<byte>(c[i..]));
                        v.CopyTo(c[i..]);
                        acc |= v;
                    }

                    var found = acc != Vector<byte>.Zero;
                    for (; i < s.Length; i++)
                    {
                        c[i] = (byte)(s[i] & (c[i] ^ 1));
                        found |= c[i] != 0;
                    }

                    if (found) Volatile.Write(ref any, 1);
                });
            }
        }

        return any != 0;
    }

    /// <summary>dst := √dst, negated inside the mask (never −0), in parallel SIMD chunks.</summary>
    private static void SignedRoots(ReadOnlySpan<byte> src, Span<float> dst, CancellationToken cancellationToken)
    {
        var n = src.Length;
        unsafe
        {
            fixed (byte* ps = src)
            fixed (float* pd = dst)
            {
                var (xs, xd) = ((nint)ps, (nint)pd);
                Slabs.For(VoxelArithmetic.Chunks(n), VoxelArithmetic.Chunk, cancellationToken, (c0, c1) =>
                {
                    var (start, end) = VoxelArithmetic.Range(c0, c1, n);
                    var s = new ReadOnlySpan<byte>((byte*)xs + start, end - start);
                    var d = new Span<float>((float*)xd + start, end - start);
                    for (var i = 0; i < d.Length; i++)
                    {
                        var r = MathF.Sqrt(d[i]);
                        d[i] = s[i] != 0 && r > 0 ? -r : r;
                    }
                });
            }
        }
    }

    /// <summary>dst = squared physical distance from each voxel to the nearest voxel where <paramref name="features"/> is true (∞ when there is none).</summary>
    public static void SquaredToFeatures(ReadOnlySpan<byte> features, Span<float> dst, VoxelGrid grid, CancellationToken cancellationToken)
    {
        grid.CheckLength(features, nameof(features));
        grid.CheckLength(dst, nameof(dst));
        unsafe
        {
            fixed (byte* pf = features)
            fixed (float* pd = dst)
            {
                var (xf, xd) = ((nint)pf, (nint)pd);
                var (nx, ny, nz, plane) = (grid.Nx, grid.Ny, grid.Nz, grid.Plane);

                // x: per row, the nearest feature by two sweeps.
                Slabs.For(ny * nz, nx, cancellationToken, (r0, r1) =>
                {
                    for (var r = r0; r < r1; r++)
                    {
                        RowPass(new ReadOnlySpan<byte>((byte*)xf + (long)r * nx, nx), new Span<float>((float*)xd + (long)r * nx, nx), grid.Sx);
                    }
                });

                // y: per plane, every column through the parabola envelope.
                if (ny > 1)
                {
                    Slabs.For(nz, plane, cancellationToken, (z0, z1) =>
                    {
                        using var lines = new LineBuffers(ny);
                        for (var z = z0; z < z1; z++)
                        {
                            var basePtr = (float*)xd + (long)z * plane;
                            for (var x = 0; x < nx; x++) Envelope(basePtr + x, nx, ny, grid.Sy, lines);
                        }
                    });
                }

                // z: per row y, every line along z.
                if (nz > 1)
                {
                    Slabs.For(ny, (long)nx * nz, cancellationToken, (y0, y1) =>
                    {
                        using var lines = new LineBuffers(nz);
                        for (var y = y0; y < y1; y++)
                        {
                            for (var x = 0; x < nx; x++) Envelope((float*)xd + (long)y * nx + x, plane, nz, grid.Sz, lines);
                        }
                    });
                }
            }
        }
    }

    private static void RowPass(ReadOnlySpan<byte> f, Span<float> d, double s)
    {
        var n = f.Length;
        var last = -1;
        for (var x = 0; x < n; x++)
        {
            if (f[x] != 0) last = x;
            d[x] = last < 0 ? float.PositiveInfinity : x - last;
        }

        last = -1;
        for (var x = n - 1; x >= 0; x--)
        {
            if (f[x] != 0) last = x;
            var steps = last < 0 ? float.PositiveInfinity : last - x;
            var best = Math.Min(d[x], steps);
            d[x] = float.IsPositiveInfinity(best) ? best : (float)(best * s * (best * s));
        }
    }

    /// <summary>The 1-D squared transform of one strided line in place: h(p) = min over q of (s·(p − q))² + g(q).</summary>
    private static unsafe void Envelope(float* line, int stride, int n, double s, LineBuffers b)
    {
        var g = b.G;
        var v = b.V;
        var zb = b.Z;
        for (var i = 0; i < n; i++) g[i] = line[(long)i * stride];

        var k = 0;
        for (var q = 0; q < n; q++)
        {
            if (double.IsPositiveInfinity(g[q])) continue;
            var pq = q * s;
            var fq = g[q] + pq * pq;
            var boundary = double.NegativeInfinity;
            while (k > 0)
            {
                var r = v[k - 1];
                var pr = r * s;
                boundary = (fq - (g[r] + pr * pr)) / (2 * (pq - pr));
                if (boundary <= zb[k - 1]) k--;
                else break;
            }

            v[k] = q;
            zb[k] = k == 0 ? double.NegativeInfinity : boundary;
            k++;
        }

        if (k == 0) return; // no finite site on this line: it stays ∞

        var j = 0;
        for (var p = 0; p < n; p++)
        {
            var pp = p * s;
            while (j + 1 < k && zb[j + 1] < pp) j++;
            var dv = pp - v[j] * s;
            line[(long)p * stride] = (float)(dv * dv + g[v[j]]);
        }
    }

    /// <summary>Per-thread scratch for one line: values, envelope sites and their left boundaries.</summary>
    private sealed class LineBuffers : IDisposable
    {
        public LineBuffers(int n)
        {
            G = ArrayPool<double>.Shared.Rent(n);
            V = ArrayPool<int>.Shared.Rent(n);
            Z = ArrayPool<double>.Shared.Rent(n);
        }

        public double[] G { get; }
        public int[] V { get; }
        public double[] Z { get; }

        public void Dispose()
        {
            ArrayPool<double>.Shared.Return(G);
            ArrayPool<int>.Shared.Return(V);
            ArrayPool<double>.Shared.Return(Z);
        }
    }
}
