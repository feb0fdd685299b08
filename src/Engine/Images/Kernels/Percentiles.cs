using System.Buffers;

namespace VoxScheduler.Images.Kernels;

/// <summary>
/// <c>percentiles(i, b, k)</c> (IMAGES.md §4): for v in b, (#{w in b : i(w) &lt; i(v)} + k·#{w in b : i(w) = i(v)}) / #b;
/// −1 outside b. The masked values are sorted once (an LSD radix sort on the float bits, O(n)),
/// and each run of equal values gets its rank in one pass.
/// </summary>
/// <remarks>
/// Every phase runs over chunks in parallel: counting and gathering the masked voxels (each chunk
/// writes at its prefix offset, so the gathered order is the raster order), each radix pass (per
/// chunk digit counts, then a stable scatter of every chunk at its own offsets per digit), and the
/// ranking (segments cut at run boundaries, so a run of ties is never split).
/// </remarks>
internal static class Percentiles
{
    private const int DigitBits = 11;
    private const int Buckets = 1 << DigitBits;

    /// <summary>Items per parallel chunk of the gather, the radix passes and the ranking.</summary>
    private const int Chunk = 1 << 16;

    public static void Compute(ReadOnlySpan<float> image, ReadOnlySpan<byte> mask, double k, Span<float> dst, CancellationToken cancellationToken)
    {
        VoxelArithmetic.CheckSameLength(image.Length, mask.Length, dst.Length);
        var n = image.Length;
        var chunks = (n + Chunk - 1) / Chunk;
        var inMaskPer = new int[chunks];
        var sortablePer = new int[chunks + 1];
        unsafe
        {
            fixed (float* pi = image, pd = dst)
            fixed (byte* pm = mask)
            {
                var (xi, xm, xd) = ((nint)pi, (nint)pm, (nint)pd);
                Slabs.For(chunks, Chunk, cancellationToken, (c0, c1) =>
                {
                    for (var c = c0; c < c1; c++)
                    {
                        int inMask = 0, sortable = 0;
                        for (int i = c * Chunk, end = Math.Min(n, i + Chunk); i < end; i++)
                        {
                            ((float*)xd)[i] = -1f;
                            if (((byte*)xm)[i] == 0) continue;
                            inMask++;
                            if (float.IsNaN(((float*)xi)[i])) ((float*)xd)[i] = 0f; // a NaN is neither below nor equal to anything
                            else sortable++;
                        }

                        inMaskPer[c] = inMask;
                        sortablePer[c + 1] = sortable;
                    }
                });

                long total = 0;
                foreach (var c in inMaskPer) total += c;
                if (total == 0) return;
                for (var c = 0; c < chunks; c++) sortablePer[c + 1] += sortablePer[c];
                var m = sortablePer[chunks];

                var keys = ArrayPool<uint>.Shared.Rent(Math.Max(1, m));
                var items = ArrayPool<int>.Shared.Rent(Math.Max(1, m));
                var keys2 = ArrayPool<uint>.Shared.Rent(Math.Max(1, m));
                var items2 = ArrayPool<int>.Shared.Rent(Math.Max(1, m));
                try
                {
                    Slabs.For(chunks, Chunk, cancellationToken, (c0, c1) =>
                    {
                        for (var c = c0; c < c1; c++)
                        {
                            var at = sortablePer[c];
                            for (int i = c * Chunk, end = Math.Min(n, i + Chunk); i < end; i++)
                            {
                                var v = ((float*)xi)[i];
                                if (((byte*)xm)[i] == 0 || float.IsNaN(v)) continue;
                                keys[at] = OrderedKey(v);
                                items[at] = i;
                                at++;
                            }
                        }
                    });

                    var (sortedKeys, sortedItems) = RadixSort(keys, items, keys2, items2, m, cancellationToken);
                    Rank(sortedKeys, sortedItems, m, k, total, xd, cancellationToken);
                }
                finally
                {
                    ArrayPool<uint>.Shared.Return(keys);
                    ArrayPool<int>.Shared.Return(items);
                    ArrayPool<uint>.Shared.Return(keys2);
                    ArrayPool<int>.Shared.Return(items2);
                }
            }
        }
    }

    /// <summary>A key whose unsigned order is the float order (−0 and +0 map to one key).</summary>
    internal static uint OrderedKey(float v)
    {
        var bits = BitConverter.SingleToUInt32Bits(v + 0f); // −0 + 0 = +0
        return (bits & 0x8000_0000u) != 0 ? ~bits : bits | 0x8000_0000u;
    }

    /// <summary>Gives each run of equal keys its rank, over segments that start at run boundaries.</summary>
    private static unsafe void Rank(uint[] keys, int[] items, int m, double k, long total, nint xd, CancellationToken cancellationToken)
    {
        var segments = (m + Chunk - 1) / Chunk;
        Slabs.For(segments, Chunk, cancellationToken, (s0, s1) =>
        {
            var start = RunStart(keys, s0 * Chunk, m);
            var stop = RunStart(keys, Math.Min(m, s1 * Chunk), m);
            var d = (float*)xd;
            while (start < stop)
            {
                var end = start + 1;
                while (end < m && keys[end] == keys[start]) end++;
                var rank = (float)((start + k * (end - start)) / total);
                for (var j = start; j < end; j++) d[items[j]] = rank;
                start = end;
            }
        });
    }

    /// <summary>The first position at or after <paramref name="at"/> that begins a run of equal keys.</summary>
    private static int RunStart(uint[] keys, int at, int m)
    {
        while (at > 0 && at < m && keys[at] == keys[at - 1]) at++;
        return at;
    }

    private static (uint[] Keys, int[] Items) RadixSort(uint[] keys, int[] items, uint[] keys2, int[] items2, int m, CancellationToken cancellationToken)
    {
        var chunks = (m + Chunk - 1) / Chunk;
        var counts = new int[chunks * Buckets];
        for (var shift = 0; shift < 32; shift += DigitBits)
        {
            var (k1, i1, k2, i2, sh) = (keys, items, keys2, items2, shift);
            Array.Clear(counts);
            Slabs.For(chunks, Chunk, cancellationToken, (c0, c1) =>
            {
                for (var c = c0; c < c1; c++)
                {
                    var own = counts.AsSpan(c * Buckets, Buckets);
                    for (int j = c * Chunk, end = Math.Min(m, j + Chunk); j < end; j++) own[(int)((k1[j] >> sh) & (Buckets - 1))]++;
                }
            });

            // Offsets: digit-major, chunk-minor, so equal digits keep their order (a stable pass).
            var sum = 0;
            var skip = false;
            for (var b = 0; b < Buckets && !skip; b++)
            {
                var before = sum;
                for (var c = 0; c < chunks; c++)
                {
                    var count = counts[c * Buckets + b];
                    counts[c * Buckets + b] = sum;
                    sum += count;
                }

                skip = sum - before == m; // every key has this digit: the pass would not move anything
            }

            if (skip) continue;
            Slabs.For(chunks, Chunk, cancellationToken, (c0, c1) =>
            {
                for (var c = c0; c < c1; c++)
                {
                    var own = counts.AsSpan(c * Buckets, Buckets);
                    for (int j = c * Chunk, end = Math.Min(m, j + Chunk); j < end; j++)
                    {
                        var at = own[(int)((k1[j] >> sh) & (Buckets - 1))]++;
                        k2[at] = k1[j];
                        i2[at] = i1[j];
                    }
                }
            });

            (keys, keys2) = (keys2, keys);
            (items, items2) = (items2, items);
        }

        return (keys, items);
    }
}
