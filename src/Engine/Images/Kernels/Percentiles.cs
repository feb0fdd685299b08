using System.Runtime.CompilerServices;


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

    // The loops here run a few times per node, far fewer than tiering waits for: compiled fully
    // optimised on first call, as VoxelSimd's are (see there). Small per-voxel helpers inline.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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

        // Sized by the image, not by the mask, so every case of a dataset reuses the same four buffers.
        using var keyScratch = VoxelScratch.Of<uint>(n);
        using var itemScratch = VoxelScratch.Of<int>(n);
        using var keyScratch2 = VoxelScratch.Of<uint>(n);
        using var itemScratch2 = VoxelScratch.Of<int>(n);
        var keys = keyScratch.As<uint>();
        var items = itemScratch.As<int>();
        var keys2 = keyScratch2.As<uint>();
        var items2 = itemScratch2.As<int>();
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
        if (RadixSort(keys, items, keys2, items2, m, cancellationToken))
        {
            keys = keys2;
            items = items2;
        }

        double total = inMask;
        var start = 0;
        while (start < m)
        {
            var end = start + 1;
            while (end < m && keys[end] == keys[start]) end++;
            var rank = (float)((start + k * (end - start)) / total);
            for (var j = start; j < end; j++) dst[items[j]] = rank;
            start = end;
        }
    }

    /// <summary>A key whose unsigned order is the float order (−0 and +0 map to one key).</summary>
    internal static uint OrderedKey(float v)
    {
        var bits = BitConverter.SingleToUInt32Bits(v + 0f); // −0 + 0 = +0
        return (bits & 0x8000_0000u) != 0 ? ~bits : bits | 0x8000_0000u;
    }

    // Sorts the first m keys (and their items); true when the sorted order ended in keys2/items2.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool RadixSort(Span<uint> keys, Span<int> items, Span<uint> keys2, Span<int> items2, int m, CancellationToken cancellationToken)
    {
        Span<int> counts = stackalloc int[Buckets];
        var swapped = false;
        for (var shift = 0; shift < 32; shift += DigitBits)
        {
            cancellationToken.ThrowIfCancellationRequested();
            counts.Clear();
            for (var j = 0; j < m; j++) counts[(int)((keys[j] >> shift) & (Buckets - 1))]++;
            if (counts.IndexOf(m) >= 0) continue; // every key has this digit: the pass would not move anything

            var sum = 0;
            for (var b = 0; b < Buckets; b++)
            {
                var c = counts[b];
                counts[b] = sum;
                sum += c;
            }

            for (var j = 0; j < m; j++)
            {
                var d = (int)((keys[j] >> shift) & (Buckets - 1));
                var at = counts[d]++;
                keys2[at] = keys[j];
                items2[at] = items[j];
            }

            var k = keys;
            keys = keys2;
            keys2 = k;
            var it = items;
            items = items2;
            items2 = it;
            swapped = !swapped;
        }

        return swapped;
    }
}
