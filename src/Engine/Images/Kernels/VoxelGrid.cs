namespace VoxScheduler.Images.Kernels;

/// <summary>
/// The shape the kernels work on: sizes per axis (x fastest in memory; a 2-D image has
/// <see cref="Nz"/> = 1) and the spacing in physical units per voxel.
/// </summary>
/// <remarks>
/// A 2-D image is a 3-D grid one plane thick, so the 3×3×3 box becomes the 3×3 box (8 neighbours)
/// without a second code path (IMAGES.md §4).
/// </remarks>
internal readonly record struct VoxelGrid
{
    public VoxelGrid(int nx, int ny, int nz, double sx = 1, double sy = 1, double sz = 1)
    {
        if (nx < 1 || ny < 1 || nz < 1) throw new ArgumentOutOfRangeException(nameof(nx), $"image sizes must be positive, got {nx}×{ny}×{nz}.");
        if ((long)nx * ny * nz > Array.MaxLength) throw new ArgumentOutOfRangeException(nameof(nx), $"an image of {nx}×{ny}×{nz} voxels is larger than an array can hold.");
        if (!(sx > 0) || !(sy > 0) || !(sz > 0) || double.IsInfinity(sx) || double.IsInfinity(sy) || double.IsInfinity(sz))
        {
            throw new ArgumentOutOfRangeException(nameof(sx), $"spacing must be positive and finite, got ({sx}, {sy}, {sz}).");
        }

        Nx = nx; Ny = ny; Nz = nz; Sx = sx; Sy = sy; Sz = sz;
    }

    public int Nx { get; }
    public int Ny { get; }
    public int Nz { get; }
    public double Sx { get; }
    public double Sy { get; }
    public double Sz { get; }

    /// <summary>Voxels in one z plane.</summary>
    public int Plane => Nx * Ny;

    /// <summary>Voxels in the grid.</summary>
    public int Count => Nx * Ny * Nz;

    public int Index(int x, int y, int z) => x + Nx * (y + Ny * z);

    internal void CheckLength<T>(ReadOnlySpan<T> voxels, string name)
    {
        if (voxels.Length != Count) throw new ArgumentException($"{name} has {voxels.Length} voxels, the grid {Nx}×{Ny}×{Nz} needs {Count}.", name);
    }

    internal void CheckLength<T>(Span<T> voxels, string name) => CheckLength((ReadOnlySpan<T>)voxels, name);
}
