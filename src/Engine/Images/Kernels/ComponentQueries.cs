using System.Buffers;

namespace VoxScheduler.Images.Kernels;

/// <summary><c>lcc</c>, <c>through</c> and <c>maxvol</c> (IMAGES.md §4) on top of <see cref="ConnectedComponents"/>.</summary>
internal static class ComponentQueries
{
    /// <summary>dst = component labels of a as numbers (1..k, background 0); returns k.</summary>
    public static int Labels(ReadOnlySpan<byte> a, Span<float> dst, VoxelGrid grid, CancellationToken cancellationToken)
    {
        grid.CheckLength(dst, nameof(dst));
        var labels = ArrayPool<int>.Shared.Rent(grid.Count);
        try
        {
            var k = ConnectedComponents.Label(a, labels.AsSpan(0, grid.Count), grid, cancellationToken);
            for (var i = 0; i < dst.Length; i++) dst[i] = labels[i];
            return k;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(labels);
        }
    }

    /// <summary>dst = the voxels of b whose component in b contains a voxel of a.</summary>
    public static void Through(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> dst, VoxelGrid grid, CancellationToken cancellationToken)
    {
        grid.CheckLength(a, nameof(a));
        grid.CheckLength(dst, nameof(dst));
        var n = grid.Count;
        var labels = ArrayPool<int>.Shared.Rent(n);
        try
        {
            var k = ConnectedComponents.Label(b, labels.AsSpan(0, n), grid, cancellationToken);
            var reached = ArrayPool<bool>.Shared.Rent(k + 1);
            try
            {
                Array.Clear(reached, 0, k + 1);
                for (var i = 0; i < n; i++)
                {
                    if (a[i] != 0) reached[labels[i]] = true;
                }

                reached[0] = false; // the background of b is never part of the result
                for (var i = 0; i < n; i++) dst[i] = (byte)(reached[labels[i]] ? 1 : 0);
            }
            finally
            {
                ArrayPool<bool>.Shared.Return(reached);
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(labels);
        }
    }

    /// <summary>dst = the union of the largest components of a (all of them on a tie); empty when a is.</summary>
    public static void MaxVolume(ReadOnlySpan<byte> a, Span<byte> dst, VoxelGrid grid, CancellationToken cancellationToken)
    {
        grid.CheckLength(dst, nameof(dst));
        var n = grid.Count;
        var labels = ArrayPool<int>.Shared.Rent(n);
        try
        {
            var k = ConnectedComponents.Label(a, labels.AsSpan(0, n), grid, cancellationToken);
            var sizes = ArrayPool<int>.Shared.Rent(k + 1);
            try
            {
                Array.Clear(sizes, 0, k + 1);
                for (var i = 0; i < n; i++) sizes[labels[i]]++;
                sizes[0] = 0;
                var largest = 0;
                for (var l = 1; l <= k; l++) largest = Math.Max(largest, sizes[l]);
                if (largest == 0) { dst.Clear(); return; }
                for (var i = 0; i < n; i++) dst[i] = (byte)(labels[i] != 0 && sizes[labels[i]] == largest ? 1 : 0);
            }
            finally
            {
                ArrayPool<int>.Shared.Return(sizes);
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(labels);
        }
    }
}
