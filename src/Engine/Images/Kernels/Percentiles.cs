using System.Buffers;

namespace VoxScheduler.Images.Kernels;

/// <summary>
/// <c>percentiles(i, b, k)</c> (IMAGES.md §4): for v in b, (#{w in b : i(w) &lt; i(v)} + k·#{w in b : i(w) = i(v)}) / #b;
/// −1 outside b. The masked values are sorted once (an LSD radix sort on the float bits, O(n)),
/// and each run of equal values gets its rank in one pass.
/// </summary>
internal static class Percentiles
{
    private const int DigitBits = 11;
    private const int Buckets = 1 << DigitBits;

    public static void Compute(ReadOnlySpan<float> image, ReadOnlySpan<byte> mask, double k, Span<float> dst, CancellationToken cancellationToken)
    {
        VoxelArithmetic.CheckSameLength(image.Length, mask.Length, dst.Length);
        var n = image.Length;
        var inMask = 0;
        var sortable = 0;
        for (var i = 0; i < n; i++)
        {
            if (mask[i] == 0) continue;
            inMask++;
            if (!float.IsNaN(image[i])) sortable++;
        }

        dst.Fill(-1f);
        if (inMask == 0) return;

        var keys = ArrayPool<uint>.Shared.Rent(sortable);
        var items = ArrayPool<int>.Shared.Rent(sortable);
        var keys2 = ArrayPool<uint>.Shared.Rent(sortable);
        var items2 = ArrayPool<int>.Shared.Rent(sortable);
        try
        {
            var m = 0;
            for (var i = 0; i < n; i++)
            {
                if (mask[i] == 0) continue;
                var v = image[i];
                if (float.IsNaN(v)) { dst[i] = 0f; continue; } // a NaN is neither below nor equal to anything
                keys[m] = OrderedKey(v);
                items[m] = i;
                m++;
            }

            cancellationToken.ThrowIfCancellationRequested();
            var (sortedKeys, sortedItems) = RadixSort(keys, items, keys2, items2, m, cancellationToken);
            double total = inMask;
            var start = 0;
            while (start < m)
            {
                var end = start + 1;
                while (end < m && sortedKeys[end] == sortedKeys[start]) end++;
                var rank = (float)((start + k * (end - start)) / total);
                for (var j = start; j < end; j++) dst[sortedItems[j]] = rank;
                start = end;
            }
        }
        finally
        {
            ArrayPool<uint>.Shared.Return(keys);
            ArrayPool<int>.Shared.Return(items);
            ArrayPool<uint>.Shared.Return(keys2);
            ArrayPool<int>.Shared.Return(items2);
        }
    }

    /// <summary>A key whose unsigned order is the float order (−0 and +0 map to one key).</summary>
    internal static uint OrderedKey(float v)
    {
        var bits = BitConverter.SingleToUInt32Bits(v + 0f); // −0 + 0 = +0
        return (bits & 0x8000_0000u) != 0 ? ~bits : bits | 0x8000_0000u;
    }

    private static (uint[] Keys, int[] Items) RadixSort(uint[] keys, int[] items, uint[] keys2, int[] items2, int m, CancellationToken cancellationToken)
    {
        var counts = new int[Buckets];
        for (var shift = 0; shift < 32; shift += DigitBits)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Array.Clear(counts);
            for (var j = 0; j < m; j++) counts[(keys[j] >> shift) & (Buckets - 1)]++;
            if (Array.IndexOf(counts, m) >= 0) continue; // every key has this digit: the pass would not move anything

            var sum = 0;
            for (var b = 0; b < Buckets; b++)
            {
                var c = counts[b];
                counts[b] = sum;
                sum += c;
            }

            for (var j = 0; j < m; j++)
            {
                var d = (keys[j] >> shift) & (Buckets - 1);
                var at = counts[d]++;
                keys2[at] = keys[j];
                items2[at] = items[j];
            }

            (keys, keys2) = (keys2, keys);
            (items, items2) = (items2, items);
        }

        return (keys, items);
    }
}
