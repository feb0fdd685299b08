using VoxScheduler.Images.Kernels;

namespace VoxScheduler.Tests.Images.Kernels;

/// <summary>Brute-force definitions of the primitives, written straight from IMAGES.md §4, to check the fast kernels against.</summary>
internal static class Oracles
{
    public static byte[] RandomMask(Random random, int n, double density)
    {
        var m = new byte[n];
        for (var i = 0; i < n; i++) m[i] = (byte)(random.NextDouble() < density ? 1 : 0);
        return m;
    }

    public static IEnumerable<(int X, int Y, int Z)> Neighbourhood(VoxelGrid g, int x, int y, int z)
    {
        for (var dz = -1; dz <= 1; dz++)
        for (var dy = -1; dy <= 1; dy++)
        for (var dx = -1; dx <= 1; dx++)
        {
            var (a, b, c) = (x + dx, y + dy, z + dz);
            if (a >= 0 && a < g.Nx && b >= 0 && b < g.Ny && c >= 0 && c < g.Nz) yield return (a, b, c);
        }
    }

    public static byte[] Near(byte[] a, VoxelGrid g) => Morph(a, g, any: true);

    public static byte[] Interior(byte[] a, VoxelGrid g) => Morph(a, g, any: false);

    private static byte[] Morph(byte[] a, VoxelGrid g, bool any)
    {
        var r = new byte[a.Length];
        for (var z = 0; z < g.Nz; z++)
        for (var y = 0; y < g.Ny; y++)
        for (var x = 0; x < g.Nx; x++)
        {
            var values = Neighbourhood(g, x, y, z).Select(p => a[g.Index(p.X, p.Y, p.Z)] != 0);
            r[g.Index(x, y, z)] = (byte)((any ? values.Any(v => v) : values.All(v => v)) ? 1 : 0);
        }

        return r;
    }

    /// <summary>Labels by breadth-first flood fill from each unlabelled voxel in raster order.</summary>
    public static int[] FloodLabels(byte[] a, VoxelGrid g, out int count)
    {
        var labels = new int[a.Length];
        count = 0;
        var queue = new Queue<(int, int, int)>();
        for (var z = 0; z < g.Nz; z++)
        for (var y = 0; y < g.Ny; y++)
        for (var x = 0; x < g.Nx; x++)
        {
            var i = g.Index(x, y, z);
            if (a[i] == 0 || labels[i] != 0) continue;
            labels[i] = ++count;
            queue.Enqueue((x, y, z));
            while (queue.Count > 0)
            {
                var (cx, cy, cz) = queue.Dequeue();
                foreach (var p in Neighbourhood(g, cx, cy, cz))
                {
                    var j = g.Index(p.X, p.Y, p.Z);
                    if (a[j] == 0 || labels[j] != 0) continue;
                    labels[j] = count;
                    queue.Enqueue(p);
                }
            }
        }

        return labels;
    }

    /// <summary>dt by all pairs: the definition of IMAGES.md §4 evaluated voxel by voxel.</summary>
    public static double[] SignedDistance(byte[] a, VoxelGrid g)
    {
        var interior = Interior(a, g);
        var contour = new List<(int, int, int)>();
        for (var z = 0; z < g.Nz; z++)
        for (var y = 0; y < g.Ny; y++)
        for (var x = 0; x < g.Nx; x++)
        {
            var i = g.Index(x, y, z);
            if (a[i] != 0 && interior[i] == 0) contour.Add((x, y, z));
        }

        var inA = new List<(int, int, int)>();
        for (var z = 0; z < g.Nz; z++)
        for (var y = 0; y < g.Ny; y++)
        for (var x = 0; x < g.Nx; x++)
        {
            if (a[g.Index(x, y, z)] != 0) inA.Add((x, y, z));
        }

        var r = new double[a.Length];
        for (var z = 0; z < g.Nz; z++)
        for (var y = 0; y < g.Ny; y++)
        for (var x = 0; x < g.Nx; x++)
        {
            var i = g.Index(x, y, z);
            var targets = a[i] != 0 ? contour : inA; // outside: nearest voxel of a, by definition
            var best = double.PositiveInfinity;
            foreach (var (tx, ty, tz) in targets)
            {
                var dx = (tx - x) * g.Sx;
                var dy = (ty - y) * g.Sy;
                var dz = (tz - z) * g.Sz;
                best = Math.Min(best, dx * dx + dy * dy + dz * dz);
            }

            r[i] = a[i] != 0 ? -Math.Sqrt(best) : Math.Sqrt(best);
        }

        return r;
    }

    /// <summary>crossCorrelation by building every window's histogram from scratch and Pearson's formula.</summary>
    public static double[] CrossCorrelation(double radius, float[] a, float[] b, byte[] fb, double m1, double m2, int nbins, VoxelGrid g)
    {
        int Rad(double s) => (int)Math.Max(1, Math.Round(radius / s, MidpointRounding.ToEven));
        var (rx, ry, rz) = (Rad(g.Sx), Rad(g.Sy), Rad(g.Sz));
        int BinOf(float v) => v >= m1 && v < m2 ? Math.Min(nbins - 1, (int)Math.Floor((v - m1) / (m2 - m1) * nbins)) : -1;
        var reference = new double[nbins];
        for (var i = 0; i < b.Length; i++)
        {
            if (fb[i] != 0 && BinOf(b[i]) is var k and >= 0) reference[k]++;
        }

        var r = new double[a.Length];
        for (var z = 0; z < g.Nz; z++)
        for (var y = 0; y < g.Ny; y++)
        for (var x = 0; x < g.Nx; x++)
        {
            var h = new double[nbins];
            for (var zz = Math.Max(0, z - rz); zz <= Math.Min(g.Nz - 1, z + rz); zz++)
            for (var yy = Math.Max(0, y - ry); yy <= Math.Min(g.Ny - 1, y + ry); yy++)
            for (var xx = Math.Max(0, x - rx); xx <= Math.Min(g.Nx - 1, x + rx); xx++)
            {
                if (BinOf(a[g.Index(xx, yy, zz)]) is var k and >= 0) h[k]++;
            }

            r[g.Index(x, y, z)] = Pearson(h, reference);
        }

        return r;
    }

    private static double Pearson(double[] h, double[] g)
    {
        var hConst = h.All(v => v == h[0]);
        var gConst = g.All(v => v == g[0]);
        if (hConst || gConst) return hConst && gConst ? 1 : 0;
        var mh = h.Average();
        var mg = g.Average();
        double cov = 0, vh = 0, vg = 0;
        for (var j = 0; j < h.Length; j++)
        {
            cov += (h[j] - mh) * (g[j] - mg);
            vh += (h[j] - mh) * (h[j] - mh);
            vg += (g[j] - mg) * (g[j] - mg);
        }

        return cov / Math.Sqrt(vh * vg);
    }
}
