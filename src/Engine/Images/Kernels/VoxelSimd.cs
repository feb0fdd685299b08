using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace VoxScheduler.Images.Kernels;

/// <summary>
/// The 256-bit paths of the voxel-wise kernels (x86 with AVX2): raw pointers and
/// <see cref="Vector256{T}"/> loads with no bounds checks, four vectors per step, 32-bit
/// comparison masks narrowed to 0/1 bytes with two saturating packs and one permute, and, for
/// outputs larger than a core's cache, non-temporal stores (as .NET's TensorPrimitives does):
/// writing a whole image's worth through the cache would first read every line of the output
/// and evict the inputs. The portable <see cref="System.Numerics.Vector{T}"/> loops of the
/// callers stay for every other machine.
/// </summary>
/// <remarks>
/// The loops are compiled fully optimised on first call: a scheduler calls a kernel once per
/// node, far fewer than the 30 calls tiered compilation waits for, so with tiering every call
/// starts in unoptimised tier-0 code (each Vector256 operation a call) and reaches optimised
/// code only by on-stack replacement part way through its loop: that about doubled the CPU
/// time of <c>and</c> on a 240×240×155 image. The portable loops of the callers are marked too.
/// </remarks>
internal static unsafe class VoxelSimd
{
    /// <summary>Outputs of at least this many bytes are written around the cache.</summary>
    internal const long NonTemporalBytes = 1L << 20;

    /// <summary>
    /// Whether the callers take these paths: on by default where AVX2 exists; tests turn it off
    /// to check the portable path on the same machine.
    /// </summary>
    internal static bool Enabled { get; set; } = Avx2.IsSupported;

    /// <summary>d[i] = a[i] OP b[i] over <paramref name="n"/> bytes (b ignored by a unary op).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Logic<TOp>(byte* a, byte* b, byte* d, nuint n, bool nonTemporal) where TOp : IByteLogic
    {
        nuint i = 0;
        if (nonTemporal)
        {
            // The aligned stores need d on a 32-byte boundary: the first few bytes one at a time.
            for (; i < n && ((nuint)(d + i) & 31) != 0; i++) d[i] = TOp.Apply(a[i], b[i]);
        }

        const int w = 32;
        for (; i + 4 * w <= n; i += 4 * w)
        {
            var r0 = TOp.Apply(Vector256.Load(a + i), Vector256.Load(b + i));
            var r1 = TOp.Apply(Vector256.Load(a + i + w), Vector256.Load(b + i + w));
            var r2 = TOp.Apply(Vector256.Load(a + i + 2 * w), Vector256.Load(b + i + 2 * w));
            var r3 = TOp.Apply(Vector256.Load(a + i + 3 * w), Vector256.Load(b + i + 3 * w));
            Store(r0, d + i, nonTemporal);
            Store(r1, d + i + w, nonTemporal);
            Store(r2, d + i + 2 * w, nonTemporal);
            Store(r3, d + i + 3 * w, nonTemporal);
        }

        for (; i < n; i++) d[i] = TOp.Apply(a[i], b[i]);
        if (nonTemporal) Sse.StoreFence();
    }

    /// <summary>d[i] = (left CMP right) as 0/1 bytes, each side an image's floats or a scalar.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Compare<TCmp, TLeft, TRight>(TLeft left, TRight right, byte* d, nuint n, bool nonTemporal)
        where TCmp : IFloatCompare where TLeft : struct, IFloatSource where TRight : struct, IFloatSource
    {
        nuint i = 0;
        if (nonTemporal)
        {
            for (; i < n && ((nuint)(d + i) & 31) != 0; i++) d[i] = TCmp.Apply(left.At(i), right.At(i)) ? (byte)1 : (byte)0;
        }

        var one = Vector256.Create((byte)1);
        // packs work within 128-bit halves: this permute puts the four packed quarters back in order.
        var order = Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7);
        for (; i + 32 <= n; i += 32)
        {
            var m0 = TCmp.Apply(left.Load(i), right.Load(i)).AsInt32();
            var m1 = TCmp.Apply(left.Load(i + 8), right.Load(i + 8)).AsInt32();
            var m2 = TCmp.Apply(left.Load(i + 16), right.Load(i + 16)).AsInt32();
            var m3 = TCmp.Apply(left.Load(i + 24), right.Load(i + 24)).AsInt32();
            var packed = Avx2.PackSignedSaturate(Avx2.PackSignedSaturate(m0, m1), Avx2.PackSignedSaturate(m2, m3));
            Store(Avx2.PermuteVar8x32(packed.AsInt32(), order).AsByte() & one, d + i, nonTemporal);
        }

        for (; i < n; i++) d[i] = TCmp.Apply(left.At(i), right.At(i)) ? (byte)1 : (byte)0;
        if (nonTemporal) Sse.StoreFence();
    }

    /// <summary>d[i] = left OP right in float32, each side an image's floats or a scalar.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Arithmetic<TOp, TLeft, TRight>(TLeft left, TRight right, float* d, nuint n, bool nonTemporal)
        where TOp : IFloatBinary where TLeft : struct, IFloatSource where TRight : struct, IFloatSource
    {
        nuint i = 0;
        // A float buffer not on a 4-byte boundary can never reach a 32-byte one: cached stores then.
        nonTemporal &= ((nuint)d & 3) == 0;
        if (nonTemporal)
        {
            for (; i < n && ((nuint)(d + i) & 31) != 0; i++) d[i] = TOp.Apply(left.At(i), right.At(i));
        }

        const int w = 8;
        for (; i + 4 * w <= n; i += 4 * w)
        {
            var r0 = TOp.Apply(left.Load(i), right.Load(i));
            var r1 = TOp.Apply(left.Load(i + w), right.Load(i + w));
            var r2 = TOp.Apply(left.Load(i + 2 * w), right.Load(i + 2 * w));
            var r3 = TOp.Apply(left.Load(i + 3 * w), right.Load(i + 3 * w));
            Store(r0, d + i, nonTemporal);
            Store(r1, d + i + w, nonTemporal);
            Store(r2, d + i + 2 * w, nonTemporal);
            Store(r3, d + i + 3 * w, nonTemporal);
        }

        for (; i < n; i++) d[i] = TOp.Apply(left.At(i), right.At(i));
        if (nonTemporal) Sse.StoreFence();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<T>(Vector256<T> v, T* p, bool nonTemporal) where T : unmanaged
    {
        if (nonTemporal) v.StoreAlignedNonTemporal(p);
        else v.Store(p);
    }
}

/// <summary>A voxel-wise operation on 0/1 bytes in scalar and 256-bit form.</summary>
internal interface IByteLogic
{
    static abstract byte Apply(byte a, byte b);
    static abstract Vector256<byte> Apply(Vector256<byte> a, Vector256<byte> b);
}

/// <summary>One side of a voxel-wise float operation: an image's voxels or a scalar, read at voxel i.</summary>
internal interface IFloatSource
{
    float At(nuint i);
    Vector256<float> Load(nuint i);
}

/// <summary>The voxels of an image, as a raw pointer (the caller keeps the buffer pinned).</summary>
internal readonly unsafe struct FloatVoxels(float* p) : IFloatSource
{
    public float At(nuint i) => p[i];

    public Vector256<float> Load(nuint i) => Vector256.Load(p + i);
}

/// <summary>A scalar that meets every voxel.</summary>
internal readonly struct FloatScalar(float s) : IFloatSource
{
    private readonly Vector256<float> _v = Vector256.Create(s);

    public float At(nuint i) => s;

    public Vector256<float> Load(nuint i) => _v;
}

/// <summary>The <see cref="IByteLogic"/> operations of <see cref="VoxelLogic"/>.</summary>
internal static class ByteOps
{
    internal readonly struct And : IByteLogic
    {
        public static byte Apply(byte a, byte b) => (byte)(a & b);
        public static Vector256<byte> Apply(Vector256<byte> a, Vector256<byte> b) => a & b;
    }

    internal readonly struct Or : IByteLogic
    {
        public static byte Apply(byte a, byte b) => (byte)(a | b);
        public static Vector256<byte> Apply(Vector256<byte> a, Vector256<byte> b) => a | b;
    }

    /// <summary>¬a of a 0/1 byte (the second operand is ignored).</summary>
    internal readonly struct Not : IByteLogic
    {
        public static byte Apply(byte a, byte b) => (byte)(a ^ 1);
        public static Vector256<byte> Apply(Vector256<byte> a, Vector256<byte> b) => a ^ Vector256<byte>.One;
    }
}
