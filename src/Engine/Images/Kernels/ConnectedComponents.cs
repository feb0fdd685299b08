using System.Buffers;

namespace VoxScheduler.Images.Kernels;

/// <summary>
/// 26-connected (8 in 2-D) component labelling by union-find (IMAGES.md §4: <c>lcc</c>, and the
/// base of <c>through</c> and <c>maxvol</c>). Labels are 1..k in order of each component's first
/// voxel in x-fastest raster order, 0 for the background.
/// </summary>
/// <remarks>
/// Every union links the larger root under the smaller one, so a component's root is its first
/// voxel in raster order and the final numbering is one raster pass. Slabs of z planes are
/// labelled in parallel (each touches only its own voxels' parents); the planes where slabs meet
/// are then joined sequentially, which costs one plane of work per slab.
/// </remarks>
internal static class ConnectedComponents
{
    /// <summary>Writes labels into <paramref name="labels"/> and returns the number of components.</summary>
    public static int Label(ReadOnlySpan<byte> src, Span<int> labels, VoxelGrid grid, CancellationToken cancellationToken)
    {
        grid.CheckLength(src, nameof(src));
        grid.CheckLength(labels, nameof(labels));
        var n = grid.Count;
        var parent = ArrayPool<int>.Shared.Rent(n);
        try
        {
            var slabCount = Math.Min(grid.Nz, Math.Max(1, Environment.ProcessorCount * 2));
            if ((long)grid.Count < 1 << 16) slabCount = 1;
            var starts = new int[slabCount + 1];
            for (var s = 0; s <= slabCount; s++) starts[s] = (int)((long)grid.Nz * s / slabCount);

            unsafe
            {
                fixed (byte* ps = src)
                {
                    var xs = (nint)ps;
                    Slabs.For(slabCount, long.MaxValue / slabCount, cancellationToken, (s0, s1) =>
                    {
                        var a = new ReadOnlySpan<byte>((byte*)xs, n);
                        for (var s = s0; s < s1; s++)
                        {
                            for (var z = starts[s]; z < starts[s + 1]; z++)
                            {
                                if ((z & 7) == 0) cancellationToken.ThrowIfCancellationRequested();
                                LabelPlane(a, parent, grid, z, starts[s]);
                            }
                        }
                    });
                }
            }

            // Join the slabs: each slab's first plane with the plane before it.
            for (var s = 1; s < slabCount; s++)
            {
                JoinAcross(src, parent, grid, starts[s]);
            }

            cancellationToken.ThrowIfCancellationRequested();
            var k = 0;
            for (var i = 0; i < n; i++)
            {
                if (src[i] == 0) { labels[i] = 0; continue; }
                var r = Find(parent, i);
                labels[i] = r == i ? ++k : labels[r];
            }

            return k;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(parent);
        }
    }

    /// <summary>Unions every voxel of plane z with its earlier neighbours (13 of 26) that lie at or after plane <paramref name="firstZ"/>.</summary>
    private static void LabelPlane(ReadOnlySpan<byte> a, int[] parent, VoxelGrid g, int z, int firstZ)
    {
        var (nx, ny, plane) = (g.Nx, g.Ny, g.Plane);
        var withPrevPlane = z > firstZ;
        for (var y = 0; y < ny; y++)
        {
            var row = z * plane + y * nx;
            for (var x = 0; x < nx; x++)
            {
                var i = row + x;
                if (a[i] == 0) continue;
                parent[i] = i;
                if (x > 0 && a[i - 1] != 0) Union(parent, i, i - 1);
                if (y > 0) UnionRow(a, parent, i, i - nx, x, nx);
                if (withPrevPlane)
                {
                    var back = i - plane;
                    if (y > 0) UnionRow(a, parent, i, back - nx, x, nx);
                    UnionRow(a, parent, i, back, x, nx);
                    if (y < ny - 1) UnionRow(a, parent, i, back + nx, x, nx);
                }
            }
        }
    }

    private static void JoinAcross(ReadOnlySpan<byte> a, int[] parent, VoxelGrid g, int z)
    {
        var (nx, ny, plane) = (g.Nx, g.Ny, g.Plane);
        for (var y = 0; y < ny; y++)
        {
            for (var x = 0; x < nx; x++)
            {
                var i = z * plane + y * nx + x;
                if (a[i] == 0) continue;
                var back = i - plane;
                if (y > 0) UnionRow(a, parent, i, back - nx, x, nx);
                UnionRow(a, parent, i, back, x, nx);
                if (y < ny - 1) UnionRow(a, parent, i, back + nx, x, nx);
            }
        }
    }

    /// <summary>Unions i with the (up to three) voxels j−1, j, j+1 of another row (j has the same x as i).</summary>
    private static void UnionRow(ReadOnlySpan<byte> a, int[] parent, int i, int j, int x, int nx)
    {
        if (x > 0 && a[j - 1] != 0) Union(parent, i, j - 1);
        if (a[j] != 0) Union(parent, i, j);
        if (x < nx - 1 && a[j + 1] != 0) Union(parent, i, j + 1);
    }

    private static void Union(int[] parent, int a, int b)
    {
        var ra = Find(parent, a);
        var rb = Find(parent, b);
        if (ra == rb) return;
        if (ra < rb) parent[rb] = ra;
        else parent[ra] = rb;
    }

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
