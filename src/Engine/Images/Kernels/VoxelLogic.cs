using System.Numerics;
using System.Runtime.CompilerServices;

namespace VoxScheduler.Images.Kernels;

/// <summary>
/// Voxel-wise boolean operations on 0/1 byte masks, and the float operations that take a mask
/// (<c>mask</c>, selection). Every boolean buffer the kernels write holds only 0 and 1, so bitwise
/// and/or/xor are the logical ones.
/// </summary>
internal static class VoxelLogic
{
    /// <summary>
    /// and/or/not share an image between threads only in ranges of at least this many voxels.
    /// One core streams 0/1 bytes about as fast as the memory system takes them: on a 2-core
    /// EPYC VM a 240×240×155 <c>and</c> took 0.25–0.33 ms at best on one core and 0.24–0.44 ms
    /// on two, while at the median on a loaded machine two took about twice the time and 1.5× the
    /// CPU (the hand-off, and the wait for the second core). Past a last-level cache's worth the
    /// bytes come from DRAM, where a many-core machine gives one core only part of its
    /// bandwidth: those images are still split.
    /// </summary>
    internal const int SplitBytes = 1 << 24;

    /// <summary>dst = a ∧ b.</summary>
    public static void And(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> dst, CancellationToken cancellationToken) =>
        Bytes(a, b, dst, 0, cancellationToken);

    /// <summary>dst = a ∨ b.</summary>
    public static void Or(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> dst, CancellationToken cancellationToken) =>
        Bytes(a, b, dst, 1, cancellationToken);

    /// <summary>dst = ¬a.</summary>
    public static void Not(ReadOnlySpan<byte> a, Span<byte> dst, CancellationToken cancellationToken) =>
        Bytes(a, a, dst, 2, cancellationToken);

    /// <summary>dst = i where b, else 0 (a NaN of i outside b does not leak through).</summary>
    public static void Mask(ReadOnlySpan<float> i, ReadOnlySpan<byte> b, Span<float> dst, CancellationToken cancellationToken) =>
        Select(b, i, default, 0f, dst, cancellationToken);

    /// <summary>dst = t where b, else e (or the scalar <paramref name="elseValue"/> when <paramref name="e"/> is empty).</summary>
    public static void Select(ReadOnlySpan<byte> b, ReadOnlySpan<float> t, ReadOnlySpan<float> e, float elseValue, Span<float> dst, CancellationToken cancellationToken)
    {
        VoxelArithmetic.CheckSameLength(b.Length, t.Length, dst.Length);
        if (!e.IsEmpty) VoxelArithmetic.CheckSameLength(b.Length, e.Length, dst.Length);
        unsafe
        {
            fixed (byte* pb = b)
            fixed (float* pt = t, pe = e, pd = dst)
            {
                var (xb, xt, xe, xd, n, hasElse) = ((nint)pb, (nint)pt, (nint)pe, (nint)pd, b.Length, !e.IsEmpty);
                Slabs.For(VoxelArithmetic.Chunks(n), VoxelArithmetic.Chunk, cancellationToken, (c0, c1) =>
                {
                    var (s, end) = VoxelArithmetic.Range(c0, c1, n);
                    var len = end - s;
                    SelectRange(new ReadOnlySpan<byte>((byte*)xb + s, len), new ReadOnlySpan<float>((float*)xt + s, len),
                        hasElse ? new ReadOnlySpan<float>((float*)xe + s, len) : default, elseValue, new Span<float>((float*)xd + s, len));
                });
            }
        }
    }

    /// <summary>Number of true voxels.</summary>
    public static long Count(ReadOnlySpan<byte> b) => b.Length - b.Count((byte)0);

    private static void Bytes(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> dst, int op, CancellationToken cancellationToken)
    {
        VoxelArithmetic.CheckSameLength(a.Length, b.Length, dst.Length);
        unsafe
        {
            fixed (byte* pa = a, pb = b, pd = dst)
            {
                var (xa, xb, xd, n) = ((nint)pa, (nint)pb, (nint)pd, a.Length);
                var (wide, nt) = (VoxelSimd.Enabled, n >= VoxelSimd.NonTemporalBytes);
                Slabs.For(VoxelArithmetic.Chunks(n), VoxelArithmetic.Chunk / 4, cancellationToken, minPerRange: SplitBytes / VoxelArithmetic.Chunk, body: (c0, c1) =>
                {
                    var (s, e) = VoxelArithmetic.Range(c0, c1, n);
                    if (wide)
                    {
                        byte* ra = (byte*)xa + s, rb = (byte*)xb + s, rd = (byte*)xd + s;
                        var len = (nuint)(e - s);
                        switch (op)
                        {
                            case 0: VoxelSimd.Logic<ByteOps.And>(ra, rb, rd, len, nt); break;
                            case 1: VoxelSimd.Logic<ByteOps.Or>(ra, rb, rd, len, nt); break;
                            default: VoxelSimd.Logic<ByteOps.Not>(ra, rb, rd, len, nt); break;
                        }

                        return;
                    }

                    BytesRange(new ReadOnlySpan<byte>((byte*)xa + s, e - s), new ReadOnlySpan<byte>((byte*)xb + s, e - s),
                        new Span<byte>((byte*)xd + s, e - s), op);
                });
            }
        }
    }

    /// <summary>The portable and/or/not loop (compiled fully optimised on first call, as VoxelSimd's are).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BytesRange(ReadOnlySpan<byte> sa, ReadOnlySpan<byte> sb, Span<byte> sd, int op)
    {
        var w = Vector<byte>.Count;
        var one = Vector<byte>.One;
        var i = 0;
        switch (op)
        {
            case 0:
                for (; i <= sa.Length - w; i += w) (new Vector<byte>(sa[i..]) & new Vector<byte>(sb[i..])).CopyTo(sd[i..]);
                for (; i < sa.Length; i++) sd[i] = (byte)(sa[i] & sb[i]);
                break;
            case 1:
                for (; i <= sa.Length - w; i += w) (new Vector<byte>(sa[i..]) | new Vector<byte>(sb[i..])).CopyTo(sd[i..]);
                for (; i < sa.Length; i++) sd[i] = (byte)(sa[i] | sb[i]);
                break;
            default:
                for (; i <= sa.Length - w; i += w) (new Vector<byte>(sa[i..]) ^ one).CopyTo(sd[i..]);
                for (; i < sa.Length; i++) sd[i] = (byte)(sa[i] ^ 1);
                break;
        }
    }

    /// <summary>Widens each vector of mask bytes into four float-lane masks and selects with them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SelectRange(ReadOnlySpan<byte> b, ReadOnlySpan<float> t, ReadOnlySpan<float> e, float elseValue, Span<float> d)
    {
        var w = Vector<float>.Count;
        var wb = Vector<byte>.Count;
        var vElse = new Vector<float>(elseValue);
        var i = 0;
        if (Vector.IsHardwareAccelerated && wb == 4 * w)
        {
            for (; i <= b.Length - wb; i += wb)
            {
                Vector.Widen(new Vector<byte>(b[i..]), out var lo, out var hi);
                Vector.Widen(lo, out var q0, out var q1);
                Vector.Widen(hi, out var q2, out var q3);
                Put(q0, t, e, vElse, d, i);
                Put(q1, t, e, vElse, d, i + w);
                Put(q2, t, e, vElse, d, i + 2 * w);
                Put(q3, t, e, vElse, d, i + 3 * w);
            }
        }

        for (; i < b.Length; i++) d[i] = b[i] != 0 ? t[i] : e.IsEmpty ? elseValue : e[i];
    }

    private static void Put(Vector<uint> m, ReadOnlySpan<float> t, ReadOnlySpan<float> e, Vector<float> vElse, Span<float> d, int at)
    {
        var isTrue = Vector.AsVectorSingle(~Vector.Equals(m, Vector<uint>.Zero));
        var other = e.IsEmpty ? vElse : new Vector<float>(e[at..]);
        Vector.ConditionalSelect(isTrue, new Vector<float>(t[at..]), other).CopyTo(d[at..]);
    }
}
