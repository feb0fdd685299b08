using System.Buffers;
using System.Runtime.CompilerServices;

namespace VoxScheduler.Images.Kernels;

/// <summary>
/// 26-connected (8 in 2-D) component labelling (IMAGES.md §4: <c>lcc</c>, and the base of
/// <c>through</c> and <c>maxvol</c>) by union-find over runs of true voxels along x. Labels are
/// 1..k in order of each component's first voxel in x-fastest raster order.
/// </summary>
/// <remarks>
/// Runs are numbered in raster order; unions are by rank, and components are numbered in one
/// pass over the runs, in order of their first run. A run
/// touches the runs of the four earlier rows of its 3×3×3 neighbourhood (y−1 in its plane; y−1,
/// y, y+1 in the plane before) that overlap its x range widened by one; both lists are sorted by
/// x, so each pair of rows is one merge. Slabs of planes are joined in parallel (each touches
/// only its own runs' parents); the planes where slabs meet are joined afterwards.
/// </remarks>
internal static class ConnectedComponents
{
    // The loops here run a few times per node, far fewer than tiering waits for: compiled fully
    // optimised on first call, as VoxelSimd's are (see there). Small per-voxel helpers inline.
    /// <summary>Labels the components of <paramref name="src"/> as runs; dispose the result.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static ComponentRuns Runs(ReadOnlySpan<byte> src, VoxelGrid grid, CancellationToken cancellationToken)
    {
        grid.CheckLength(src, nameof(src));
        var (nx, rows) = (grid.Nx, grid.Ny * grid.Nz);
        var rowStart = ArrayPool<int>.Shared.Rent(rows + 1);
        unsafe
        {
            fixed (byte* ps = src)
            {
                var xs = (nint)ps;
                // Count the runs of every row, then place them.
                Slabs.For(rows, nx, cancellationToken, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (r0, r1) =>
                {
                    for (var r = r0; r < r1; r++) rowStart[r + 1] = CountRuns(new ReadOnlySpan<byte>((byte*)xs + (long)r * nx, nx));
                });
                rowStart[0] = 0;
                for (var r = 0; r < rows; r++) rowStart[r + 1] += rowStart[r];
                var runs = rowStart[rows];
                var start = ArrayPool<int>.Shared.Rent(Math.Max(1, runs));
                var end = ArrayPool<int>.Shared.Rent(Math.Max(1, runs));
                var parent = ArrayPool<int>.Shared.Rent(Math.Max(1, runs));
                var rank = ArrayPool<byte>.Shared.Rent(Math.Max(1, runs));
                try
                {
                    Slabs.For(rows, nx, cancellationToken, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (r0, r1) =>
                    {
                        for (var r = r0; r < r1; r++) FillRuns(new ReadOnlySpan<byte>((byte*)xs + (long)r * nx, nx), rowStart[r], start, end, parent, rank);
                    });

                    var slabCount = Math.Min(grid.Nz, Math.Max(1, Environment.ProcessorCount * 2));
                    var starts = new int[slabCount + 1];
                    for (var s = 0; s <= slabCount; s++) starts[s] = (int)((long)grid.Nz * s / slabCount);
                    Slabs.For(slabCount, (long)runs / slabCount + 1, cancellationToken, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (s0, s1) =>
                    {
                        for (var s = s0; s < s1; s++)
                        {
                            for (var z = starts[s]; z < starts[s + 1]; z++)
                            {
                                if ((z & 7) == 0) cancellationToken.ThrowIfCancellationRequested();
                                JoinPlane(grid, z, withPreviousPlane: z > starts[s], rowStart, start, end, parent, rank);
                            }
                        }
                    });

                    for (var s = 1; s < slabCount; s++) JoinAcrossPlanes(grid, starts[s], rowStart, start, end, parent, rank);

                    cancellationToken.ThrowIfCancellationRequested();
                    // Number the components in order of their first run (= first voxel in raster order),
                    // whichever run union by rank made their root.
                    var labels = ArrayPool<int>.Shared.Rent(Math.Max(1, runs));
                    Array.Clear(labels, 0, runs);
                    var k = 0;
                    for (var j = 0; j < runs; j++)
                    {
                        var root = Find(parent, j);
                        if (labels[root] == 0) labels[root] = ++k;
                        labels[j] = labels[root]; // a run's own slot is only a root's store when it is its root
                    }

                    ArrayPool<int>.Shared.Return(parent);
                    ArrayPool<byte>.Shared.Return(rank);
                    return new ComponentRuns(grid, rowStart, start, end, labels, runs, k);
                }
                catch
                {
                    ArrayPool<int>.Shared.Return(rowStart);
                    ArrayPool<int>.Shared.Return(start);
                    ArrayPool<int>.Shared.Return(end);
                    ArrayPool<int>.Shared.Return(parent);
                    ArrayPool<byte>.Shared.Return(rank);
                    throw;
                }
            }
        }
    }

    /// <summary>Writes labels into <paramref name="labels"/> and returns the number of components.</summary>
    public static int Label(ReadOnlySpan<byte> src, Span<int> labels, VoxelGrid grid, CancellationToken cancellationToken)
    {
        grid.CheckLength(labels, nameof(labels));
        using var runs = Runs(src, grid, cancellationToken);
        var values = ArrayPool<int>.Shared.Rent(runs.Components + 1);
        try
        {
            for (var l = 0; l <= runs.Components; l++) values[l] = l;
            runs.Paint(labels, values.AsSpan(0, runs.Components + 1));
            return runs.Components;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(values);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int CountRuns(ReadOnlySpan<byte> row)
    {
        var count = 0;
        var x = 0;
        while (true)
        {
            var at = row[x..].IndexOfAnyExcept((byte)0);
            if (at < 0) return count;
            x += at;
            count++;
            var len = row[x..].IndexOf((byte)0);
            if (len < 0) return count;
            x += len;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FillRuns(ReadOnlySpan<byte> row, int first, int[] start, int[] end, int[] parent, byte[] rank)
    {
        var j = first;
        var x = 0;
        while (true)
        {
            var at = row[x..].IndexOfAnyExcept((byte)0);
            if (at < 0) return;
            x += at;
            var len = row[x..].IndexOf((byte)0);
            var e = len < 0 ? row.Length : x + len;
            start[j] = x;
            end[j] = e - 1;
            parent[j] = j;
            rank[j] = 0;
            j++;
            if (len < 0) return;
            x = e;
        }
    }

    /// <summary>Joins the runs of plane z with the earlier rows of their neighbourhood (the plane before only when <paramref name="withPreviousPlane"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void JoinPlane(VoxelGrid g, int z, bool withPreviousPlane, int[] rowStart, int[] start, int[] end, int[] parent, byte[] rank)
    {
        var ny = g.Ny;
        for (var y = 0; y < ny; y++)
        {
            var r = y + ny * z;
            if (rowStart[r] == rowStart[r + 1]) continue;
            if (y > 0) JoinRows(r, r - 1, rowStart, start, end, parent, rank);
            if (withPreviousPlane) JoinPreviousPlane(g, y, z, rowStart, start, end, parent, rank);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void JoinAcrossPlanes(VoxelGrid g, int z, int[] rowStart, int[] start, int[] end, int[] parent, byte[] rank)
    {
        for (var y = 0; y < g.Ny; y++) JoinPreviousPlane(g, y, z, rowStart, start, end, parent, rank);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void JoinPreviousPlane(VoxelGrid g, int y, int z, int[] rowStart, int[] start, int[] end, int[] parent, byte[] rank)
    {
        var ny = g.Ny;
        var r = y + ny * z;
        var back = r - ny;
        if (y > 0) JoinRows(r, back - 1, rowStart, start, end, parent, rank);
        JoinRows(r, back, rowStart, start, end, parent, rank);
        if (y < ny - 1) JoinRows(r, back + 1, rowStart, start, end, parent, rank);
    }

    /// <summary>Unions every run of row r with the runs of row q that touch it (overlap after widening by one voxel).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void JoinRows(int r, int q, int[] rowStart, int[] start, int[] end, int[] parent, byte[] rank)
    {
        var (i, iEnd) = (rowStart[r], rowStart[r + 1]);
        var (j, jEnd) = (rowStart[q], rowStart[q + 1]);
        while (i < iEnd && j < jEnd)
        {
            // Runs touch when start[i] − 1 ≤ end[j] and start[j] ≤ end[i] + 1.
            if (end[j] < start[i] - 1) { j++; continue; }
            if (start[j] > end[i] + 1) { i++; continue; }
            Union(parent, rank, i, j);
            // Advance the run that ends first; the other may touch the next one too.
            if (end[j] < end[i]) j++;
            else i++;
        }
    }

    // Per joined run pair: inlined into the optimised JoinRows, which the JIT did not do by itself (they stayed
    // tier-0 calls in perf); AggressiveOptimization instead would keep them calls and cost 18 % on a noise mask.
    /// <summary>Union by rank: trees stay shallow even when one component spans the image (a 30% noise mask percolates).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Union(int[] parent, byte[] rank, int a, int b)
    {
        var ra = Find(parent, a);
        var rb = Find(parent, b);
        if (ra == rb) return;
        if (rank[ra] < rank[rb]) (ra, rb) = (rb, ra);
        parent[rb] = ra;
        if (rank[ra] == rank[rb]) rank[ra]++;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Find(int[] parent, int i)
    {
        while (parent[i] != i)
        {
            var p = parent[i];
            parent[i] = parent[p]; // path halving
            i = parent[i];
        }

        return i;
    }
}
