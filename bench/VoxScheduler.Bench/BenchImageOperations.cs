using VoxScheduler.Images;
using VoxScheduler.Operations;

namespace VoxScheduler.Bench;

/// <summary>
/// The cluster mode's image sources (a cluster runs no <c>load</c>: a silo would read its own file
/// system): <c>bench.phantom(nx, ny, nz, seed)</c>, the <see cref="ImagePhantom"/> of a seed as a
/// float image (pure and deterministic, so it runs on any worker and is stored by content), and
/// <c>bench.seeds(first, count)</c>, the numbers first … first+count−1 as a sequence known only
/// while running, so a <c>map</c> over it expands at run time as a dataset's would. Registered in
/// the benchmark's silos and in its local scheduler alike.
/// </summary>
internal static class BenchImageOperations
{
    public const string Phantom = "bench.phantom";
    public const string Seeds = "bench.seeds";

    /// <summary>Most voxels of one phantom (a 512³ volume); a larger request is a clear error, not an allocation failure.</summary>
    public const long MaxVoxels = 512L * 512 * 512;

    /// <summary>Most seeds one <c>bench.seeds</c> gives.</summary>
    public const int MaxSeeds = 100_000;

    public static void Register(OperationRegistry registry)
    {
        registry.Register(Operation.Create(Phantom, 4, 4, c =>
        {
            var (nx, ny, nz, seed) = ((int)c.Number(0), (int)c.Number(1), (int)c.Number(2), (int)c.Number(3));
            if (nx < 1 || ny < 1 || nz < 1 || (long)nx * ny * nz > MaxVoxels)
            {
                throw new ArgumentOutOfRangeException(nameof(c), $"{Phantom} takes a size of at most {MaxVoxels} voxels, not {nx}×{ny}×{nz}.");
            }

            return Image.FromNumbers(ImageGeometry.Of3D(nx, ny, nz), ImagePhantom.Create(nx, ny, nz, seed).Phantom);
        }, description: "bench.phantom(nx, ny, nz, seed): the image bench's phantom of a seed"), replace: true);
        registry.Register(Operation.Create(Seeds, 2, 2, c =>
        {
            var (first, count) = ((int)c.Number(0), (int)c.Number(1));
            if (count is < 0 or > MaxSeeds) throw new ArgumentOutOfRangeException(nameof(c), $"{Seeds} gives 0 to {MaxSeeds} seeds, not {count}.");
            var seeds = new object?[count];
            for (var i = 0; i < count; i++) seeds[i] = (double)(first + i);
            return seeds;
        }, description: "bench.seeds(first, count): first … first+count−1"), replace: true);
    }
}
