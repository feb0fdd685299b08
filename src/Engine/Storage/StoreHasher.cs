using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace VoxScheduler.Storage;

/// <summary>
/// Incremental XXH128 (seed 0), bit-identical to <see cref="System.IO.Hashing.XxHash128"/>.
/// Why not that class: System.IO.Hashing ships as IL only, so its stripe loop starts as
/// unoptimized tier-0 code (~0.4 GB/s instead of ~20 GB/s) and is only re-jitted after
/// hundreds of milliseconds of hashing, which is the whole of a 64 MB read. The hot methods
/// here are <see cref="MethodImplOptions.AggressiveOptimization"/>: optimized from their first call.
/// Inputs of at most 240 bytes (which never reach the stripe loop) are handed to the library.
/// </summary>
internal sealed class StoreHasher
{
    private const int StripeLength = 64;
    private const int StripesPerBlock = 16; // (secret length 192 - stripe 64) / 8
    private const int BufferLength = 256;
    private const int MidSizeMax = 240;
    private const int ScrambleSecretOffset = 192 - StripeLength;
    private const int LastStripeSecretOffset = 192 - StripeLength - 7;
    private const ulong Prime64_1 = 0x9E3779B185EBCA87UL;
    private const ulong Prime64_2 = 0xC2B2AE3D27D4EB4FUL;
    private const ulong Prime64_3 = 0x165667B19E3779F9UL;
    private const ulong Prime64_4 = 0x85EBCA77C2B2AE63UL;
    private const ulong Prime64_5 = 0x27D4EB2F165667C5UL;
    private const uint Prime32_1 = 0x9E3779B1U;
    private const uint Prime32_2 = 0x85EBCA77U;
    private const uint Prime32_3 = 0xC2B2AE3DU;

    // The XXH3 default secret (the secret of seed 0).
    private static ReadOnlySpan<byte> Secret =>
    [
        0xb8, 0xfe, 0x6c, 0x39, 0x23, 0xa4, 0x4b, 0xbe, 0x7c, 0x01, 0x81, 0x2c, 0xf7, 0x21, 0xad, 0x1c,
        0xde, 0xd4, 0x6d, 0xe9, 0x83, 0x90, 0x97, 0xdb, 0x72, 0x40, 0xa4, 0xa4, 0xb7, 0xb3, 0x67, 0x1f,
        0xcb, 0x79, 0xe6, 0x4e, 0xcc, 0xc0, 0xe5, 0x78, 0x82, 0x5a, 0xd0, 0x7d, 0xcc, 0xff, 0x72, 0x21,
        0xb8, 0x08, 0x46, 0x74, 0xf7, 0x43, 0x24, 0x8e, 0xe0, 0x35, 0x90, 0xe6, 0x81, 0x3a, 0x26, 0x4c,
        0x3c, 0x28, 0x52, 0xbb, 0x91, 0xc3, 0x00, 0xcb, 0x88, 0xd0, 0x65, 0x8b, 0x1b, 0x53, 0x2e, 0xa3,
        0x71, 0x64, 0x48, 0x97, 0xa2, 0x0d, 0xf9, 0x4e, 0x38, 0x19, 0xef, 0x46, 0xa9, 0xde, 0xac, 0xd8,
        0xa8, 0xfa, 0x76, 0x3f, 0xe3, 0x9c, 0x34, 0x3f, 0xf9, 0xdc, 0xbb, 0xc7, 0xc7, 0x0b, 0x4f, 0x1d,
        0x8a, 0x51, 0xe0, 0x4b, 0xcd, 0xb4, 0x59, 0x31, 0xc8, 0x9f, 0x7e, 0xc9, 0xd9, 0x78, 0x73, 0x64,
        0xea, 0xc5, 0xac, 0x83, 0x34, 0xd3, 0xeb, 0xc3, 0xc5, 0x81, 0xa0, 0xff, 0xfa, 0x13, 0x63, 0xeb,
        0x17, 0x0d, 0xdd, 0x51, 0xb7, 0xf0, 0xda, 0x49, 0xd3, 0x16, 0x55, 0x26, 0x29, 0xd4, 0x68, 0x9e,
        0x2b, 0x16, 0xbe, 0x58, 0x7d, 0x47, 0xa1, 0xfc, 0x8f, 0xf8, 0xb8, 0xd1, 0x7a, 0xd0, 0x31, 0xce,
        0x45, 0xcb, 0x3a, 0x8f, 0x95, 0x16, 0x04, 0x28, 0xaf, 0xd7, 0xfb, 0xca, 0xbb, 0x4b, 0x40, 0x7e,
    ];

    // Invariant: every byte before the buffer has been consumed as a stripe that is followed by
    // at least one more byte (XXH3 treats the stripe holding the last byte separately), and
    // _tail holds the last 64 consumed bytes, from which the final stripe may need its start.
    private readonly ulong[] _acc = new ulong[8];
    private readonly byte[] _buffer = new byte[BufferLength];
    private readonly byte[] _tail = new byte[StripeLength];
    private int _buffered;
    private int _stripesInBlock;
    private ulong _length;

    public StoreHasher() => InitAccumulators(_acc);

    /// <summary>The XXH128 of <paramref name="data"/> (big-endian, as the library writes it).</summary>
    public static byte[] Hash(ReadOnlySpan<byte> data)
    {
        var hash = new byte[StoreHash.Length];
        if (data.Length <= MidSizeMax)
        {
            System.IO.Hashing.XxHash128.Hash(data, hash);
            return hash;
        }

        var hasher = new StoreHasher();
        hasher.Append(data);
        hasher.Finish(hash);
        return hash;
    }

    /// <summary>Adds <paramref name="data"/> to the hash.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Append(ReadOnlySpan<byte> data)
    {
        _length += (ulong)data.Length;
        if (data.Length <= BufferLength - _buffered)
        {
            data.CopyTo(_buffer.AsSpan(_buffered));
            _buffered += data.Length;
            return;
        }

        var secret = Secret;
        if (_buffered > 0)
        {
            // Top the buffer up; more input follows it, so all four of its stripes are complete.
            var take = BufferLength - _buffered;
            data[..take].CopyTo(_buffer.AsSpan(_buffered));
            data = data[take..];
            Consume(_acc, ref _stripesInBlock, _buffer, BufferLength / StripeLength, secret);
            _buffer.AsSpan(BufferLength - StripeLength).CopyTo(_tail);
            _buffered = 0;
        }

        // Consume every stripe that has a byte after it; keep the rest (1 to 64 bytes).
        var stripes = (data.Length - 1) / StripeLength;
        if (stripes > 0)
        {
            Consume(_acc, ref _stripesInBlock, data, stripes, secret);
            data.Slice(stripes * StripeLength - StripeLength, StripeLength).CopyTo(_tail);
            data = data[(stripes * StripeLength)..];
        }

        data.CopyTo(_buffer);
        _buffered = data.Length;
    }

    /// <summary>Writes the hash of everything appended so far (16 bytes) to <paramref name="destination"/>; appending may continue.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Finish(Span<byte> destination)
    {
        if (_length <= MidSizeMax)
        {
            System.IO.Hashing.XxHash128.Hash(_buffer.AsSpan(0, _buffered), destination);
            return;
        }

        var secret = Secret;
        Span<ulong> acc = stackalloc ulong[8];
        _acc.CopyTo(acc);
        var stripesInBlock = _stripesInBlock;
        Span<byte> last = stackalloc byte[StripeLength];
        if (_buffered >= StripeLength)
        {
            Consume(acc, ref stripesInBlock, _buffer, (_buffered - 1) / StripeLength, secret);
            _buffer.AsSpan(_buffered - StripeLength, StripeLength).CopyTo(last);
        }
        else
        {
            // The final stripe starts in bytes already consumed.
            _tail.AsSpan(_buffered).CopyTo(last);
            _buffer.AsSpan(0, _buffered).CopyTo(last[(StripeLength - _buffered)..]);
        }

        Accumulate512(acc, last, secret[LastStripeSecretOffset..]);
        var low = Merge(acc, secret[11..], _length * Prime64_1);
        var high = Merge(acc, secret[(192 - StripeLength - 11)..], ~(_length * Prime64_2));
        BinaryPrimitives.WriteUInt64BigEndian(destination, high);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], low);
    }

    /// <summary>The hash of everything appended so far, as a new array.</summary>
    public byte[] Finish()
    {
        var hash = new byte[StoreHash.Length];
        Finish(hash);
        return hash;
    }

    private static void InitAccumulators(Span<ulong> acc)
    {
        acc[0] = Prime32_3;
        acc[1] = Prime64_1;
        acc[2] = Prime64_2;
        acc[3] = Prime64_3;
        acc[4] = Prime64_4;
        acc[5] = Prime32_2;
        acc[6] = Prime64_5;
        acc[7] = Prime32_1;
    }

    /// <summary>Accumulates <paramref name="stripes"/> whole stripes, scrambling at each block end.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Consume(Span<ulong> acc, ref int stripesInBlock, ReadOnlySpan<byte> source, int stripes, ReadOnlySpan<byte> secret)
    {
        if (Avx2.IsSupported)
        {
            ConsumeAvx2(acc, ref stripesInBlock, source[..(stripes * StripeLength)], stripes);
            return;
        }

        while (stripes > 0)
        {
            var take = Math.Min(stripes, StripesPerBlock - stripesInBlock);
            for (var i = 0; i < take; i++) Accumulate512(acc, source.Slice(i * StripeLength, StripeLength), secret.Slice((stripesInBlock + i) * 8, StripeLength));
            source = source[(take * StripeLength)..];
            stripes -= take;
            stripesInBlock += take;
            if (stripesInBlock == StripesPerBlock)
            {
                Scramble(acc, secret.Slice(ScrambleSecretOffset, StripeLength));
                stripesInBlock = 0;
            }
        }
    }

    // The accumulators stay in two registers across blocks; the scramble is vectorized too, so
    // the loop is bound by loads rather than by per-block bookkeeping.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ConsumeAvx2(Span<ulong> acc, ref int stripesInBlock, ReadOnlySpan<byte> source, int stripes)
    {
        ref var src = ref MemoryMarshal.GetReference(source);
        ref var key = ref MemoryMarshal.GetReference(Secret);
        ref var accRef = ref Unsafe.As<ulong, byte>(ref MemoryMarshal.GetReference(acc));
        var acc1 = Vector256.LoadUnsafe(ref accRef).AsUInt64();
        var acc2 = Vector256.LoadUnsafe(ref accRef, 32).AsUInt64();
        var scramble1 = Vector256.LoadUnsafe(ref key, ScrambleSecretOffset).AsUInt64();
        var scramble2 = Vector256.LoadUnsafe(ref key, ScrambleSecretOffset + 32).AsUInt64();
        var prime = Vector256.Create((ulong)Prime32_1).AsUInt32();
        var inBlock = stripesInBlock;
        nuint offset = 0;
        for (var i = 0; i < stripes; i++)
        {
            var keyOffset = (nuint)(inBlock * 8);
            acc1 = AccumulateLane(acc1, Vector256.LoadUnsafe(ref src, offset).AsUInt64(), Vector256.LoadUnsafe(ref key, keyOffset).AsUInt64());
            acc2 = AccumulateLane(acc2, Vector256.LoadUnsafe(ref src, offset + 32).AsUInt64(), Vector256.LoadUnsafe(ref key, keyOffset + 32).AsUInt64());
            offset += StripeLength;
            if (++inBlock == StripesPerBlock)
            {
                acc1 = ScrambleLane(acc1, scramble1, prime);
                acc2 = ScrambleLane(acc2, scramble2, prime);
                inBlock = 0;
            }
        }

        stripesInBlock = inBlock;
        acc1.AsByte().StoreUnsafe(ref accRef);
        acc2.AsByte().StoreUnsafe(ref accRef, 32);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> AccumulateLane(Vector256<ulong> acc, Vector256<ulong> data, Vector256<ulong> key)
    {
        var mixed = data ^ key;
        // acc[i] += low32(mixed[i]) * high32(mixed[i]); acc[i ^ 1] += data[i].
        var product = Avx2.Multiply(mixed.AsUInt32(), Avx2.ShiftRightLogical(mixed, 32).AsUInt32());
        var swapped = Avx2.Shuffle(data.AsUInt32(), 0b01_00_11_10).AsUInt64();
        return acc + product + swapped;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> ScrambleLane(Vector256<ulong> acc, Vector256<ulong> key, Vector256<uint> prime)
    {
        var mixed = (acc ^ Avx2.ShiftRightLogical(acc, 47)) ^ key;
        // A 64 x 32-bit multiply from two 32 x 32 -> 64 ones.
        var low = Avx2.Multiply(mixed.AsUInt32(), prime);
        var high = Avx2.Multiply(Avx2.ShiftRightLogical(mixed, 32).AsUInt32(), prime);
        return low + Avx2.ShiftLeftLogical(high, 32);
    }

    private static void Accumulate512(Span<ulong> acc, ReadOnlySpan<byte> stripe, ReadOnlySpan<byte> secret)
    {
        for (var i = 0; i < 8; i++)
        {
            var data = BinaryPrimitives.ReadUInt64LittleEndian(stripe[(i * 8)..]);
            var mixed = data ^ BinaryPrimitives.ReadUInt64LittleEndian(secret[(i * 8)..]);
            acc[i ^ 1] += data;
            acc[i] += (ulong)(uint)mixed * (mixed >> 32);
        }
    }

    private static void Scramble(Span<ulong> acc, ReadOnlySpan<byte> secret)
    {
        for (var i = 0; i < 8; i++)
        {
            var a = acc[i];
            a ^= a >> 47;
            a ^= BinaryPrimitives.ReadUInt64LittleEndian(secret[(i * 8)..]);
            acc[i] = a * Prime32_1;
        }
    }

    private static ulong Merge(ReadOnlySpan<ulong> acc, ReadOnlySpan<byte> secret, ulong start)
    {
        var result = start;
        for (var i = 0; i < 4; i++)
        {
            var high = Math.BigMul(acc[2 * i] ^ BinaryPrimitives.ReadUInt64LittleEndian(secret[(16 * i)..]), acc[2 * i + 1] ^ BinaryPrimitives.ReadUInt64LittleEndian(secret[(16 * i + 8)..]), out var low);
            result += low ^ high;
        }

        result ^= result >> 37;
        result *= 0x165667919E3779F9UL;
        return result ^ (result >> 32);
    }
}
