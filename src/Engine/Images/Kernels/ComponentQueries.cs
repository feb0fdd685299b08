using System.Buffers;
using System.Runtime.CompilerServices;

namespace VoxScheduler.Images.Kernels;

/// <summary><c>lcc</c>, <c>through</c> and <c>maxvol</c> (IMAGES.md §4) on the labelled runs of <see cref="ConnectedComponents"/>.</summary>
internal static class ComponentQueries
{
    // The loops here run a few times per node, far fewer than tiering waits for: compiled fully
    // optimised on first call, as VoxelSimd's are (see there). Small per-voxel helpers inline.
    /// <summary>dst = component labels of a as numbers (1..k, background 0); returns k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Labels(ReadOnlySpan<byte> a, Span<float> dst, VoxelGrid grid, CancellationToken cancellationToken)
    {
        using var runs = ConnectedComponents.Runs(a, grid, cancellationToken);
        var values = ArrayPool<float>.Shared.Rent(runs.Components + 1);
        try
        {
            for (var l = 0; l <= runs.Components; l++) values[l] = l;
            runs.Paint(dst, values.AsSpan(0, runs.Components + 1));
            return runs.Components;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(values);
        }
    }

    /// <summary>dst = the voxels of b whose component in b contains a voxel of a.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Through(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> dst, VoxelGrid grid, CancellationToken cancellationToken)
    {
        grid.CheckLength(a, nameof(a));
        using var runs = ConnectedComponents.Runs(b, grid, cancellationToken);
        var reached = ArrayPool<byte>.Shared.Rent(runs.Components + 1);
        try
        {
            Array.Clear(reached, 0, runs.Components + 1);
            var rows = runs.RowStart;
            var start = runs.Start;
            var end = runs.End;
            var label = runs.Label;
            var nx = grid.Nx;
            for (var r = 0; r < rows.Length - 1; r++)
            {
                var row = a.Slice(r * nx, nx);
                for (var j = rows[r]; j < rows[r + 1]; j++)
                {
                    if (reached[label[j]] == 0 && row[start[j]..(end[j] + 1)].ContainsAnyExcept((byte)0)) reached[label[j]] = 1;
                }
            }

            runs.Paint(dst, reached.AsSpan(0, runs.Components + 1));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(reached);
        }
    }

    /// <summary>dst = the union of the largest components of a (all of them on a tie); empty when a is.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MaxVolume(ReadOnlySpan<byte> a, Span<byte> dst, VoxelGrid grid, CancellationToken cancellationToken)
    {
        using var runs = ConnectedComponents.Runs(a, grid, cancellationToken);
        var k = runs.Components;
        var sizes = ArrayPool<long>.Shared.Rent(k + 1);
        var keep = ArrayPool<byte>.Shared.Rent(k + 1);
        try
        {
            Array.Clear(sizes, 0, k + 1);
            var start = runs.Start;
            var end = runs.End;
            var label = runs.Label;
            for (var j = 0; j < runs.RunCount; j++) sizes[label[j]] += end[j] - start[j] + 1;
            long largest = 0;
            for (var l = 1; l <= k; l++) largest = Math.Max(largest, sizes[l]);
            keep[0] = 0;
            for (var l = 1; l <= k; l++) keep[l] = (byte)(sizes[l] == largest ? 1 : 0);
            runs.Paint(dst, keep.AsSpan(0, k + 1));
        }
        finally
        {
            ArrayPool<long>.Shared.Return(sizes);
            ArrayPool<byte>.Shared.Return(keep);
        }
    }
}
