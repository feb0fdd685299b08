using System.Security.Cryptography;

namespace VoxScheduler.Bench;

/// <summary>
/// The two volumes of the <c>image</c> mode (BENCHMARKS.md §5), from a seed: a brain-like phantom
/// (an ellipsoid head of intensity ~100 with a darker rim, a few bright "lesions" of ~200, 40
/// dark spherical holes, 1 % salt noise, float32 0..255, spacing 1 mm) and a noise volume (30 %
/// random true voxels). Deterministic: the same seed and size give the same voxels, whose SHA-256
/// (float32, x fastest) is printed so figures can be compared over time.
/// </summary>
internal sealed class ImagePhantom
{
    private ImagePhantom(int nx, int ny, int nz, float[] phantom, byte[] noise)
    {
        Nx = nx; Ny = ny; Nz = nz; Phantom = phantom; Noise = noise;
    }

    public int Nx { get; }
    public int Ny { get; }
    public int Nz { get; }

    /// <summary>The phantom's voxels, x fastest.</summary>
    public float[] Phantom { get; }

    /// <summary>The noise volume's voxels (0/1), x fastest.</summary>
    public byte[] Noise { get; }

    public int Count => Nx * Ny * Nz;

    public static ImagePhantom Create(int nx, int ny, int nz, int seed)
    {
        var random = new Random(seed);
        var p = new float[nx * ny * nz];
        double cx = (nx - 1) / 2.0, cy = (ny - 1) / 2.0, cz = (nz - 1) / 2.0;
        double ax = 0.42 * nx, ay = 0.46 * ny, az = 0.45 * nz;
        for (var z = 0; z < nz; z++)
        for (var y = 0; y < ny; y++)
        for (var x = 0; x < nx; x++)
        {
            var dx = (x - cx) / ax;
            var dy = (y - cy) / ay;
            var dz = (z - cz) / az;
            var r = Math.Sqrt(dx * dx + dy * dy + dz * dz);
            p[x + nx * (y + ny * z)] = r >= 1 ? 0f : r >= 0.9 ? 60f : 100f;
        }

        // Lesions (bright) and holes (dark), spheres centred inside the head.
        for (var i = 0; i < 5; i++) Sphere(p, nx, ny, nz, Inside(random, cx, cy, cz, ax * 0.6, ay * 0.6, az * 0.6), 5 + random.NextDouble() * 9, 200f);
        for (var i = 0; i < 40; i++) Sphere(p, nx, ny, nz, Inside(random, cx, cy, cz, ax * 0.8, ay * 0.8, az * 0.8), 2 + random.NextDouble() * 4, 10f);

        // Texture inside the head (±5), then 1 % salt noise anywhere, all within 0..255.
        for (var i = 0; i < p.Length; i++)
        {
            if (p[i] > 0) p[i] = Math.Clamp(p[i] + (float)(random.NextDouble() * 10 - 5), 0f, 255f);
            if (random.NextDouble() < 0.01) p[i] = 255f;
        }

        var noise = new byte[p.Length];
        for (var i = 0; i < noise.Length; i++) noise[i] = random.NextDouble() < 0.3 ? (byte)1 : (byte)0;
        return new ImagePhantom(nx, ny, nz, p, noise);
    }

    public static string Sha256(float[] voxels) =>
        Convert.ToHexStringLower(SHA256.HashData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(voxels.AsSpan())));

    public static string Sha256(byte[] mask) => Sha256(mask.Select(b => (float)b).ToArray());

    private static (double X, double Y, double Z) Inside(Random random, double cx, double cy, double cz, double rx, double ry, double rz)
    {
        while (true)
        {
            double u = random.NextDouble() * 2 - 1, v = random.NextDouble() * 2 - 1, w = random.NextDouble() * 2 - 1;
            if (u * u + v * v + w * w <= 1) return (cx + u * rx, cy + v * ry, cz + w * rz);
        }
    }

    private static void Sphere(float[] p, int nx, int ny, int nz, (double X, double Y, double Z) c, double radius, float value)
    {
        var r2 = radius * radius;
        for (var z = Math.Max(0, (int)(c.Z - radius)); z <= Math.Min(nz - 1, (int)(c.Z + radius) + 1); z++)
        for (var y = Math.Max(0, (int)(c.Y - radius)); y <= Math.Min(ny - 1, (int)(c.Y + radius) + 1); y++)
        for (var x = Math.Max(0, (int)(c.X - radius)); x <= Math.Min(nx - 1, (int)(c.X + radius) + 1); x++)
        {
            double dx = x - c.X, dy = y - c.Y, dz = z - c.Z;
            if (dx * dx + dy * dy + dz * dz <= r2) p[x + nx * (y + ny * z)] = value;
        }
    }
}
