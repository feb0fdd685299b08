using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace VoxScheduler.Images.Kernels;

/// <summary>
/// <c>near</c> (dilation) and <c>interior</c> (erosion) by the 3×3×3 box, radius 1 (IMAGES.md §4).
/// The box is separable, so each is three 1-D passes (x, y, z) of "any/all of the in-image
/// neighbours along the axis". Taking only in-image neighbours is exactly "outside is false for
/// dilation and true for erosion": a missing neighbour never changes an OR of falses or an AND of trues.
/// </summary>
internal static class BoxMorphology
{
    /// <summary>dst = dilation of src by the box (26 neighbours in 3-D, 8 in 2-D).</summary>
    public static void Near(ReadOnlySpan<byte> src, Span<byte> dst, VoxelGrid grid, CancellationToken cancellationToken) =>
        Run(src, dst, grid, dilate: true, cancellationToken);

    /// <summary>dst = erosion of src by the box; the image edge does not erode.</summary>
    public static void Interior(ReadOnlySpan<byte> src, Span<byte> dst, VoxelGrid grid, CancellationToken cancellationToken) =>
        Run(src, dst, grid, dilate: false, cancellationToken);

    private static void Run(ReadOnlySpan<byte> src, Span<byte> dst, VoxelGrid grid, bool dilate, CancellationToken cancellationToken)
    {
        grid.CheckLength(src, nameof(src));
        grid.CheckLength(dst, nameof(dst));
        using var scratch = VoxelScratch.Of<byte>(grid.Count);
        var tmp = scratch.As<byte>();
        unsafe
        {
            fixed (byte* ps = src, pt = tmp, pd = dst)
            {
                var (xs, xt, xd) = ((nint)ps, (nint)pt, (nint)pd);
                var plane = grid.Plane;
                // Pass 1: x then y, plane by plane (each plane independent).
                Slabs.For(grid.Nz, plane, cancellationToken, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (z0, z1) =>
                {
                    var rows = ArrayPool<byte>.Shared.Rent(plane);
                    try
                    {
                        for (var z = z0; z < z1; z++)
                        {
                            var inPlane = new ReadOnlySpan<byte>((byte*)xs + (long)z * plane, plane);
                            var outPlane = new Span<byte>((byte*)xt + (long)z * plane, plane);
                            for (var y = 0; y < grid.Ny; y++)
                            {
                                AlongRow(inPlane.Slice(y * grid.Nx, grid.Nx), rows.AsSpan(y * grid.Nx, grid.Nx), dilate);
                            }

                            for (var y = 0; y < grid.Ny; y++)
                            {
                                var row = rows.AsSpan(0, plane);
                                Combine(row, y * grid.Nx, y > 0 ? (y - 1) * grid.Nx : -1, y < grid.Ny - 1 ? (y + 1) * grid.Nx : -1, grid.Nx,
                                    outPlane.Slice(y * grid.Nx, grid.Nx), dilate);
                            }
                        }
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(rows);
                    }
                });

                // Pass 2: z, plane by plane from the pass-1 planes above and below.
                var n = grid.Count;
                Slabs.For(grid.Nz, plane, cancellationToken, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (z0, z1) =>
                {
                    var all = new ReadOnlySpan<byte>((byte*)xt, n);
                    for (var z = z0; z < z1; z++)
                    {
                        Combine(all, z * plane, z > 0 ? (z - 1) * plane : -1, z < grid.Nz - 1 ? (z + 1) * plane : -1, plane,
                            new Span<byte>((byte*)xd + (long)z * plane, plane), dilate);
                    }
                });
            }
        }
    }

    // The loops here run a few times per node, far fewer than tiering waits for: compiled fully
    // optimised on first call, as VoxelSimd's are (see there). Small per-voxel helpers inline.
    /// <summary>One row along x: each voxel combined with its in-row neighbours.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AlongRow(ReadOnlySpan<byte> row, Span<byte> dst, bool dilate)
    {
        var n = row.Length;
        if (n == 1) { dst[0] = row[0]; return; }
        dst[0] = Op(row[0], row[1], dilate);
        dst[n - 1] = Op(row[n - 1], row[n - 2], dilate);
        var w = Vector<byte>.Count;
        var x = 1;
        for (; x <= n - 1 - w; x += w)
        {
            var l = new Vector<byte>(row[(x - 1)..]);
            var c = new Vector<byte>(row[x..]);
            var r = new Vector<byte>(row[(x + 1)..]);
            (dilate ? l | c | r : l & c & r).CopyTo(dst[x..]);
        }

        for (; x < n - 1; x++) dst[x] = Op(Op(row[x - 1], row[x], dilate), row[x + 1], dilate);
    }

    /// <summary>dst = line at <paramref name="at"/> combined with the lines at <paramref name="before"/> and <paramref name="after"/> (−1: absent).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Combine(ReadOnlySpan<byte> all, int at, int before, int after, int length, Span<byte> dst, bool dilate)
    {
        var c = all.Slice(at, length);
        var b = before >= 0 ? all.Slice(before, length) : c;
        var a = after >= 0 ? all.Slice(after, length) : c;
        var w = Vector<byte>.Count;
        var i = 0;
        for (; i <= length - w; i += w)
        {
            var vb = new Vector<byte>(b[i..]);
            var vc = new Vector<byte>(c[i..]);
            var va = new Vector<byte>(a[i..]);
            (dilate ? vb | vc | va : vb & vc & va).CopyTo(dst[i..]);
        }

        for (; i < length; i++) dst[i] = Op(Op(b[i], c[i], dilate), a[i], dilate);
    }

    private static byte Op(byte a, byte b, bool dilate) => (byte)(dilate ? a | b : a & b);
}
