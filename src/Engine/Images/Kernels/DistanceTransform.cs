using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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

    // Lines transformed together by the y and z passes: 16 floats, one cache line across them.
    private const int Block = 16;

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
                Slabs.For(VoxelArithmetic.Chunks(n), VoxelArithmetic.Chunk / 4, cancellationToken, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (c0, c1) =>
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
                var (xs, xd, wide) = ((nint)ps, (nint)pd, VoxelSimd.Enabled);
                Slabs.For(VoxelArithmetic.Chunks(n), VoxelArithmetic.Chunk, cancellationToken, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (c0, c1) =>
                {
                    var (start, end) = VoxelArithmetic.Range(c0, c1, n);
                    var s = (byte*)xs + start;
                    var d = (float*)xd + start;
                    var i = 0;
                    if (wide)
                    {
                        for (; i + 8 <= end - start; i += 8)
                        {
                            var r = Vector256.Sqrt(Vector256.Load(d + i));
                            // 8 mask bytes widened to 32-bit lanes: negate where inside and the root is not 0.
                            var inside = ~Vector256.Equals(Avx2.ConvertToVector256Int32(s + i), Vector256<int>.Zero).AsSingle();
                            var negate = inside & Vector256.GreaterThan(r, Vector256<float>.Zero);
                            Vector256.ConditionalSelect(negate, -r, r).Store(d + i);
                        }
                    }

                    for (; i < end - start; i++)
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

                // x: per row, the nearest feature on either side, from a table of squared steps.
                var steps = new float[nx + 1];
                for (var k = 0; k <= nx; k++) steps[k] = (float)(k * grid.Sx * (k * grid.Sx));
                Slabs.For(ny * nz, nx, cancellationToken, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (r0, r1) =>
                {
                    for (var r = r0; r < r1; r++)
                    {
                        RowPass(new ReadOnlySpan<byte>((byte*)xf + (long)r * nx, nx), new Span<float>((float*)xd + (long)r * nx, nx), steps);
                    }
                });

                // y: per plane, every column through the parabola envelope.
                if (ny > 1)
                {
                    Slabs.For(nz, plane, cancellationToken, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (z0, z1) =>
                    {
                        using var lines = new LineBuffers(ny);
                        for (var z = z0; z < z1; z++)
                        {
                            var basePtr = (float*)xd + (long)z * plane;
                            for (var x = 0; x < nx; x += Block) EnvelopeBlock(basePtr + x, nx, ny, Math.Min(Block, nx - x), grid.Sy, lines);
                        }
                    });
                }

                // z: per row y, every line along z.
                if (nz > 1)
                {
                    Slabs.For(ny, (long)nx * nz, cancellationToken, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (y0, y1) =>
                    {
                        using var lines = new LineBuffers(nz);
                        for (var y = y0; y < y1; y++)
                        {
                            for (var x = 0; x < nx; x += Block) EnvelopeBlock((float*)xd + (long)y * nx + x, plane, nz, Math.Min(Block, nx - x), grid.Sz, lines);
                        }
                    });
                }
            }
        }
    }

    // The loops here run a few times per node, far fewer than tiering waits for: compiled fully
    // optimised on first call, as VoxelSimd's are (see there). Small per-voxel helpers inline.
    /// <summary>
    /// One row: the squared distance to the nearest feature of the row (∞ without one). Features
    /// are found with a vectorised search, so the many rows without one cost a search and a fill,
    /// and between two features each voxel takes the nearer.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowPass(ReadOnlySpan<byte> f, Span<float> d, float[] steps)
    {
        var prev = f.IndexOfAnyExcept((byte)0);
        if (prev < 0)
        {
            d.Fill(float.PositiveInfinity);
            return;
        }

        for (var x = 0; x < prev; x++) d[x] = steps[prev - x];
        d[prev] = 0;
        while (true)
        {
            var next = f[(prev + 1)..].IndexOfAnyExcept((byte)0);
            if (next < 0)
            {
                for (var x = prev + 1; x < d.Length; x++) d[x] = steps[x - prev];
                return;
            }

            next += prev + 1;
            for (var x = prev + 1; x < next; x++) d[x] = steps[Math.Min(x - prev, next - x)];
            d[next] = 0;
            prev = next;
        }
    }

    /// <summary>
    /// The 1-D transforms of <paramref name="count"/> adjacent strided lines: copied into
    /// contiguous lines first, so each step along the lines reads and writes one cache line
    /// (16 floats) instead of touching a page per voxel for each line on its own.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void EnvelopeBlock(float* first, long stride, int n, int count, double s, LineBuffers b)
    {
        fixed (float* tile = b.Tile)
        {
            for (var i = 0; i < n; i++)
            {
                var src = first + i * stride;
                for (var c = 0; c < count; c++) tile[c * n + i] = src[c];
            }

            for (var c = 0; c < count; c++) Envelope(tile + c * n, 1, n, s, b);
            for (var i = 0; i < n; i++)
            {
                var dst = first + i * stride;
                for (var c = 0; c < count; c++) dst[c] = tile[c * n + i];
            }
        }
    }

    /// <summary>
    /// The 1-D squared transform of one strided line in place: h(p) = min over q of (s·(p − q))² + g(q),
    /// from the lower envelope of the parabolas of the finite g(q). Without divisions: a site
    /// leaves the envelope when the new parabola overtakes it no later than it overtook its left
    /// neighbour, which compares the two intersections by cross-multiplying (both spans are
    /// positive); and the sweep moves to the next site where that site is strictly lower.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Envelope(float* line, int stride, int n, double s, LineBuffers b)
    {
        var pos = b.Position;
        var fv = b.Value;
        var gv = b.G;
        var k = 0;
        for (var q = 0; q < n; q++)
        {
            double g = line[(long)q * stride];
            if (double.IsPositiveInfinity(g)) continue;
            var pq = q * s;
            var fq = g + pq * pq;
            while (k > 1 && (fq - fv[k - 1]) * (pos[k - 1] - pos[k - 2]) <= (fv[k - 1] - fv[k - 2]) * (pq - pos[k - 1])) k--;
            pos[k] = pq;
            fv[k] = fq;
            gv[k] = g;
            k++;
        }

        if (k == 0) return; // no finite site on this line: it stays ∞

        var j = 0;
        for (var p = 0; p < n; p++)
        {
            var pp = p * s;
            var dv = pp - pos[j];
            var h = dv * dv + gv[j];
            while (j + 1 < k)
            {
                var dn = pp - pos[j + 1];
                var hn = dn * dn + gv[j + 1];
                if (hn >= h) break;
                j++;
                h = hn;
            }

            line[(long)p * stride] = (float)h;
        }
    }

    /// <summary>Per-thread scratch for one line: the envelope's sites (position, value at the site's own position plus its square, value).</summary>
    private sealed class LineBuffers : IDisposable
    {
        public LineBuffers(int n)
        {
            Position = ArrayPool<double>.Shared.Rent(n);
            Value = ArrayPool<double>.Shared.Rent(n);
            G = ArrayPool<double>.Shared.Rent(n);
            Tile = ArrayPool<float>.Shared.Rent(Block * n);
        }

        /// <summary>Block lines of n, one after another.</summary>
        public float[] Tile { get; }

        public double[] Position { get; }
        public double[] Value { get; }
        public double[] G { get; }

        public void Dispose()
        {
            ArrayPool<double>.Shared.Return(Position);
            ArrayPool<double>.Shared.Return(Value);
            ArrayPool<double>.Shared.Return(G);
            ArrayPool<float>.Shared.Return(Tile);
        }
    }
}
