using System.Runtime.CompilerServices;

namespace VoxScheduler.Images.Kernels;

/// <summary><c>border</c> and <c>x</c>, <c>y</c>, <c>z</c> (IMAGES.md §4): images computed from the voxel indices alone.</summary>
internal static class Coordinates
{
    // The loops here run a few times per node, far fewer than tiering waits for: compiled fully
    // optimised on first call, as VoxelSimd's are (see there). Small per-voxel helpers inline.
    /// <summary>dst = true where any index is 0 or size − 1 (the z axis of a 2-D image, one plane thick, does not count).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Border(Span<byte> dst, VoxelGrid grid)
    {
        grid.CheckLength(dst, nameof(dst));
        var (nx, ny, nz) = (grid.Nx, grid.Ny, grid.Nz);
        for (var z = 0; z < nz; z++)
        {
            var zEdge = nz > 1 && (z == 0 || z == nz - 1);
            for (var y = 0; y < ny; y++)
            {
                var row = dst.Slice(grid.Index(0, y, z), nx);
                if (zEdge || y == 0 || y == ny - 1)
                {
                    row.Fill(1);
                    continue;
                }

                row.Clear();
                row[0] = 1;
                row[nx - 1] = 1;
            }
        }
    }

    /// <summary>dst = each voxel's index along <paramref name="axis"/> (0 = x, 1 = y, 2 = z).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Index(Span<float> dst, VoxelGrid grid, int axis)
    {
        grid.CheckLength(dst, nameof(dst));
        var (nx, ny, nz) = (grid.Nx, grid.Ny, grid.Nz);
        for (var z = 0; z < nz; z++)
        {
            for (var y = 0; y < ny; y++)
            {
                var row = dst.Slice(grid.Index(0, y, z), nx);
                switch (axis)
                {
                    case 0:
                        for (var x = 0; x < nx; x++) row[x] = x;
                        break;
                    case 1:
                        row.Fill(y);
                        break;
                    case 2:
                        row.Fill(z);
                        break;
                    default:
                        throw new ArgumentOutOfRangeException(nameof(axis), "axis is 0, 1 or 2.");
                }
            }
        }
    }
}
