using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace VoxScheduler.Images.Kernels;

/// <summary>
/// Voxel-wise float32 arithmetic and comparisons (IMAGES.md §1, §4): SIMD over <see cref="Vector{T}"/>,
/// split into chunks run in parallel. Images and scalars meet in float32.
/// </summary>
internal static class VoxelArithmetic
{
    /// <summary>Voxels per parallel chunk: large enough to amortise the hand-off, small enough to balance.</summary>
    internal const int Chunk = 1 << 16;

    internal static int Chunks(int length) => (length + Chunk - 1) / Chunk;

    /// <summary>dst = a OP b, voxel by voxel.</summary>
    public static void Binary<TOp>(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> dst, CancellationToken cancellationToken)
        where TOp : IFloatBinary
    {
        CheckSameLength(a.Length, b.Length, dst.Length);
        unsafe
        {
            fixed (float* pa = a, pb = b, pd = dst)
            {
                var (xa, xb, xd, n) = ((nint)pa, (nint)pb, (nint)pd, a.Length);
                var (wide, nt) = (VoxelSimd.Enabled, (long)n * sizeof(float) >= VoxelSimd.NonTemporalBytes);
                Slabs.For(Chunks(n), Chunk, cancellationToken, (c0, c1) =>
                {
                    var (s, e) = Range(c0, c1, n);
                    if (wide) VoxelSimd.Arithmetic<TOp, FloatVoxels, FloatVoxels>(new((float*)xa + s), new((float*)xb + s), (float*)xd + s, (nuint)(e - s), nt);
                    else BinaryRange<TOp>(new ReadOnlySpan<float>((float*)xa + s, e - s), new ReadOnlySpan<float>((float*)xb + s, e - s), new Span<float>((float*)xd + s, e - s));
                });
            }
        }
    }

    /// <summary>dst = a OP s (or s OP a when <paramref name="scalarFirst"/>), voxel by voxel.</summary>
    public static void WithScalar<TOp>(ReadOnlySpan<float> a, float s, bool scalarFirst, Span<float> dst, CancellationToken cancellationToken)
        where TOp : IFloatBinary
    {
        CheckSameLength(a.Length, a.Length, dst.Length);
        unsafe
        {
            fixed (float* pa = a, pd = dst)
            {
                var (xa, xd, n) = ((nint)pa, (nint)pd, a.Length);
                var (wide, nt) = (VoxelSimd.Enabled, (long)n * sizeof(float) >= VoxelSimd.NonTemporalBytes);
                Slabs.For(Chunks(n), Chunk, cancellationToken, (c0, c1) =>
                {
                    var (st, e) = Range(c0, c1, n);
                    var len = (nuint)(e - st);
                    if (wide && scalarFirst) VoxelSimd.Arithmetic<TOp, FloatScalar, FloatVoxels>(new(s), new((float*)xa + st), (float*)xd + st, len, nt);
                    else if (wide) VoxelSimd.Arithmetic<TOp, FloatVoxels, FloatScalar>(new((float*)xa + st), new(s), (float*)xd + st, len, nt);
                    else ScalarRange<TOp>(new ReadOnlySpan<float>((float*)xa + st, e - st), s, scalarFirst, new Span<float>((float*)xd + st, e - st));
                });
            }
        }
    }

    /// <summary>dst = |a|.</summary>
    public static void Abs(ReadOnlySpan<float> a, Span<float> dst, CancellationToken cancellationToken)
    {
        CheckSameLength(a.Length, a.Length, dst.Length);
        unsafe
        {
            fixed (float* pa = a, pd = dst)
            {
                var (xa, xd, n) = ((nint)pa, (nint)pd, a.Length);
                Slabs.For(Chunks(n), Chunk, cancellationToken, (c0, c1) =>
                {
                    var (s, e) = Range(c0, c1, n);
                    AbsRange(new ReadOnlySpan<float>((float*)xa + s, e - s), new Span<float>((float*)xd + s, e - s));
                });
            }
        }
    }

    /// <summary>dst = (a CMP b) as 0/1 bytes.</summary>
    public static void Compare<TCmp>(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<byte> dst, CancellationToken cancellationToken)
        where TCmp : IFloatCompare
    {
        CheckSameLength(a.Length, b.Length, dst.Length);
        unsafe
        {
            fixed (float* pa = a, pb = b)
            fixed (byte* pd = dst)
            {
                var (xa, xb, xd, n) = ((nint)pa, (nint)pb, (nint)pd, a.Length);
                var (wide, nt) = (VoxelSimd.Enabled, n >= VoxelSimd.NonTemporalBytes);
                Slabs.For(Chunks(n), Chunk, cancellationToken, (c0, c1) =>
                {
                    var (s, e) = Range(c0, c1, n);
                    if (wide) VoxelSimd.Compare<TCmp, FloatVoxels, FloatVoxels>(new((float*)xa + s), new((float*)xb + s), (byte*)xd + s, (nuint)(e - s), nt);
                    else CompareRange<TCmp>(new ReadOnlySpan<float>((float*)xa + s, e - s), new ReadOnlySpan<float>((float*)xb + s, e - s), 0, false, new Span<byte>((byte*)xd + s, e - s));
                });
            }
        }
    }

    /// <summary>dst = (a CMP s) as 0/1 bytes; with <paramref name="scalarFirst"/>, (s CMP a).</summary>
    public static void CompareScalar<TCmp>(ReadOnlySpan<float> a, float s, bool scalarFirst, Span<byte> dst, CancellationToken cancellationToken)
        where TCmp : IFloatCompare
    {
        if (!VoxelSimd.Enabled)
        {
            MapToBytes(a, dst, cancellationToken, (src, d) => CompareRange<TCmp>(src, default, s, scalarFirst, d));
            return;
        }

        CheckSameLength(a.Length, a.Length, dst.Length);
        unsafe
        {
            fixed (float* pa = a)
            fixed (byte* pd = dst)
            {
                var (xa, xd, n) = ((nint)pa, (nint)pd, a.Length);
                var nt = n >= VoxelSimd.NonTemporalBytes;
                Slabs.For(Chunks(n), Chunk, cancellationToken, (c0, c1) =>
                {
                    var (st, e) = Range(c0, c1, n);
                    var len = (nuint)(e - st);
                    if (scalarFirst) VoxelSimd.Compare<TCmp, FloatScalar, FloatVoxels>(new(s), new((float*)xa + st), (byte*)xd + st, len, nt);
                    else VoxelSimd.Compare<TCmp, FloatVoxels, FloatScalar>(new((float*)xa + st), new(s), (byte*)xd + st, len, nt);
                });
            }
        }
    }

    /// <summary>dst = n1 ≤ a ≤ n2 as 0/1 bytes (inclusive both ends).</summary>
    public static void Between(ReadOnlySpan<float> a, float low, float high, Span<byte> dst, CancellationToken cancellationToken) =>
        MapToBytes(a, dst, cancellationToken, (src, d) => BetweenRange(src, low, high, d));

    private delegate void FloatsToBytes(ReadOnlySpan<float> source, Span<byte> destination);

    /// <summary>Runs <paramref name="kernel"/> over matching chunks of <paramref name="a"/> and <paramref name="dst"/>, in parallel.</summary>
    private static void MapToBytes(ReadOnlySpan<float> a, Span<byte> dst, CancellationToken cancellationToken, FloatsToBytes kernel)
    {
        CheckSameLength(a.Length, a.Length, dst.Length);
        unsafe
        {
            fixed (float* pa = a)
            fixed (byte* pd = dst)
            {
                var (xa, xd, n) = ((nint)pa, (nint)pd, a.Length);
                Slabs.For(Chunks(n), Chunk, cancellationToken, (c0, c1) =>
                {
                    var (st, e) = Range(c0, c1, n);
                    kernel(new ReadOnlySpan<float>((float*)xa + st, e - st), new Span<byte>((byte*)xd + st, e - st));
                });
            }
        }
    }

    internal static (int Start, int End) Range(int c0, int c1, int n) => (c0 * Chunk, Math.Min(n, c1 * Chunk));

    internal static void CheckSameLength(int a, int b, int dst)
    {
        if (a != b || a != dst) throw new ArgumentException($"voxel buffers differ in length ({a}, {b}, {dst}).");
    }

    // The range loops are compiled fully optimised on first call, as VoxelSimd's are (see there).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AbsRange(ReadOnlySpan<float> a, Span<float> d)
    {
        var w = Vector<float>.Count;
        var i = 0;
        for (; i <= a.Length - w; i += w) Vector.Abs(new Vector<float>(a[i..])).CopyTo(d[i..]);
        for (; i < a.Length; i++) d[i] = MathF.Abs(a[i]);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BetweenRange(ReadOnlySpan<float> a, float low, float high, Span<byte> d)
    {
        for (var i = 0; i < a.Length; i++) d[i] = (byte)(low <= a[i] & a[i] <= high ? 1 : 0);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BinaryRange<TOp>(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> d) where TOp : IFloatBinary
    {
        var w = Vector<float>.Count;
        var i = 0;
        for (; i <= a.Length - w; i += w) TOp.Apply(new Vector<float>(a[i..]), new Vector<float>(b[i..])).CopyTo(d[i..]);
        for (; i < a.Length; i++) d[i] = TOp.Apply(a[i], b[i]);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScalarRange<TOp>(ReadOnlySpan<float> a, float s, bool scalarFirst, Span<float> d) where TOp : IFloatBinary
    {
        var w = Vector<float>.Count;
        var vs = new Vector<float>(s);
        var i = 0;
        if (scalarFirst)
        {
            for (; i <= a.Length - w; i += w) TOp.Apply(vs, new Vector<float>(a[i..])).CopyTo(d[i..]);
            for (; i < a.Length; i++) d[i] = TOp.Apply(s, a[i]);
        }
        else
        {
            for (; i <= a.Length - w; i += w) TOp.Apply(new Vector<float>(a[i..]), vs).CopyTo(d[i..]);
            for (; i < a.Length; i++) d[i] = TOp.Apply(a[i], s);
        }
    }

    /// <summary>Compares four float vectors at a time and narrows the 32-bit lane masks to one vector of 0/1 bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CompareRange<TCmp>(ReadOnlySpan<float> a, ReadOnlySpan<float> b, float s, bool scalarFirst, Span<byte> d) where TCmp : IFloatCompare
    {
        var w = Vector<float>.Count;
        var useScalar = b.IsEmpty;
        var vs = new Vector<float>(s);
        var one = Vector<uint>.One;
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= a.Length - 4 * w; i += 4 * w)
            {
                var m0 = Mask<TCmp>(a, b, i, vs, useScalar, scalarFirst) & one;
                var m1 = Mask<TCmp>(a, b, i + w, vs, useScalar, scalarFirst) & one;
                var m2 = Mask<TCmp>(a, b, i + 2 * w, vs, useScalar, scalarFirst) & one;
                var m3 = Mask<TCmp>(a, b, i + 3 * w, vs, useScalar, scalarFirst) & one;
                Vector.Narrow(Vector.Narrow(m0, m1), Vector.Narrow(m2, m3)).CopyTo(d[i..]);
            }
        }

        for (; i < a.Length; i++)
        {
            var r = useScalar ? (scalarFirst ? TCmp.Apply(s, a[i]) : TCmp.Apply(a[i], s)) : TCmp.Apply(a[i], b[i]);
            d[i] = (byte)(r ? 1 : 0);
        }
    }

    private static Vector<uint> Mask<TCmp>(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int i, Vector<float> vs, bool useScalar, bool scalarFirst) where TCmp : IFloatCompare
    {
        var va = new Vector<float>(a[i..]);
        var m = useScalar ? (scalarFirst ? TCmp.Apply(vs, va) : TCmp.Apply(va, vs)) : TCmp.Apply(va, new Vector<float>(b[i..]));
        return Vector.AsVectorUInt32(m);
    }
}
