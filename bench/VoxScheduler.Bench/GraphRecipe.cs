using System.Security.Cryptography;
using System.Text;

namespace VoxScheduler.Bench;

/// <summary>
/// The six graph shapes of BENCHMARKS.md §1 as plain arrays: per node a 64-bit constant and an
/// ordered dependency list (CSR), node ids in emission order. Also the recipe's expected result
/// and the graph_sha256 text.
/// </summary>
internal sealed class GraphRecipe
{
    private readonly List<ulong> _c = [];
    private readonly List<int> _depStart = [0];
    private readonly List<int> _deps = [];

    public string Shape { get; private init; } = "";

    public ulong Expected { get; private set; }

    public int Count => _c.Count;

    public long Edges => _deps.Count;

    public ulong[] C { get; private set; } = [];

    public int[] DepStart { get; private set; } = [];

    public int[] Deps { get; private set; } = [];

    public ReadOnlySpan<int> DepsOf(int node) => Deps.AsSpan(DepStart[node], DepStart[node + 1] - DepStart[node]);

    private int Emit(ulong c, params ReadOnlySpan<int> deps)
    {
        _c.Add(c);
        foreach (var d in deps) _deps.Add(d);
        _depStart.Add(_deps.Count);
        return _c.Count - 1;
    }

    private GraphRecipe Seal(ulong expected)
    {
        Expected = expected;
        C = [.. _c];
        DepStart = [.. _depStart];
        Deps = [.. _deps];
        return this;
    }

    public static GraphRecipe Create(string shape, BenchArgs a) => shape switch
    {
        "chain" => Chain(a.Int("n", 100_000)),
        "wide" => Wide(a.Int("n", 100_000)),
        "fib" => Fib(a.Int("n", 10_000)),
        "layered" => Layered(a.Int("L", 100), a.Int("W", 1000), (ulong)a.Long("seed", 42)),
        "vox" => Vox(a.Int("E", 150), a.Int("B", 1000)),
        "voxnary" => VoxNary(a.Int("E", 150), a.Int("B", 1000)),
        _ => throw new ArgumentException($"unknown shape '{shape}'"),
    };

    public static GraphRecipe Chain(int n)
    {
        var g = new GraphRecipe { Shape = "chain" };
        for (var i = 0; i < n; i++)
        {
            if (i == 0) g.Emit(1);
            else g.Emit(1, i - 1);
        }

        return g.Seal((ulong)n);
    }

    public static GraphRecipe Wide(int n)
    {
        var g = new GraphRecipe { Shape = "wide" };
        var all = new int[n];
        for (var i = 0; i < n; i++) all[i] = g.Emit((ulong)i);
        g.Emit(0, all);
        return g.Seal((ulong)n * (ulong)(n - 1) / 2);
    }

    public static GraphRecipe Fib(int n)
    {
        var g = new GraphRecipe { Shape = "fib" };
        ulong a = 0, b = 1;
        for (var i = 0; i < n; i++)
        {
            if (i == 0) g.Emit(0);
            else if (i == 1) g.Emit(1);
            else g.Emit(0, i - 1, i - 2);
        }

        // F(n-1) mod 2^64
        for (var i = 0; i < n - 1; i++) (a, b) = (b, unchecked(a + b));
        return g.Seal(a);
    }

    public static GraphRecipe Layered(int layers, int width, ulong seed)
    {
        // Each node past the first layer takes up to three distinct parents of the layer above: a
        // narrower layer made the parent draw below loop forever.
        if (layers < 1 || width < 3) throw new ArgumentException($"layered needs at least 1 layer (L) of at least 3 nodes (W); got L={layers}, W={width}");
        var g = new GraphRecipe { Shape = "layered" };
        var s = seed;
        ulong Next()
        {
            s = unchecked(6364136223846793005UL * s + 1442695040888963407UL);
            return s >> 33;
        }

        var chosen = new List<int>(3);
        var deps = new int[3];
        for (var l = 0; l < layers; l++)
        {
            for (var k = 0; k < width; k++)
            {
                if (l == 0)
                {
                    g.Emit((ulong)k + 1);
                    continue;
                }

                var r = Next();
                var extra = 1 + (int)(r % 2);
                chosen.Clear();
                chosen.Add(k);
                for (var e = 0; e < extra; e++)
                {
                    int p;
                    do p = (int)(Next() % (ulong)width); while (chosen.Contains(p));
                    chosen.Add(p);
                }

                for (var i = 0; i < chosen.Count; i++) deps[i] = (l - 1) * width + chosen[i];
                g.Emit(0, deps.AsSpan(0, chosen.Count));
            }
        }

        var sink = new int[width];
        for (var k = 0; k < width; k++) sink[k] = (layers - 1) * width + k;
        g.Emit(0, sink);
        g.Seal(0);
        g.Expected = Evaluate(g);
        return g;
    }

    public static GraphRecipe Vox(int e, int b)
    {
        var g = new GraphRecipe { Shape = "vox" };
        var total = -1;
        for (var i = 0; i < e; i++)
        {
            var add = -1;
            var first = -1;
            for (var j = 0; j < b; j++)
            {
                var work = g.Emit((ulong)i * 1_000_000UL + (ulong)j);
                if (j == 0) first = work;
                else if (j == 1) add = g.Emit(0, first, work);
                else add = g.Emit(0, add, work);
            }

            var body = b == 1 ? first : add;
            if (i == 0) total = body;
            else total = g.Emit(0, total, body);
        }

        return g.Seal(VoxResult(e, b));
    }

    public static GraphRecipe VoxNary(int e, int b)
    {
        var g = new GraphRecipe { Shape = "voxnary" };
        var bodies = new int[e];
        var works = new int[b];
        for (var i = 0; i < e; i++)
        {
            for (var j = 0; j < b; j++)
            {
                var idx = g.Emit((ulong)i * 1_000_000UL + (ulong)j);
                works[j] = g.Emit(0, idx);
            }

            bodies[i] = g.Emit(0, works);
        }

        g.Emit(0, bodies);
        return g.Seal(VoxResult(e, b));
    }

    private static ulong VoxResult(int e, int b) =>
        unchecked(1_000_000UL * (ulong)b * ((ulong)e * (ulong)(e - 1) / 2) + (ulong)e * ((ulong)b * (ulong)(b - 1) / 2));

    /// <summary>Straight topological evaluation over the arrays: the floor any scheduler pays.</summary>
    public static ulong Evaluate(GraphRecipe g)
    {
        var values = new ulong[g.Count];
        for (var i = 0; i < g.Count; i++)
        {
            var v = g.C[i];
            for (var k = g.DepStart[i]; k < g.DepStart[i + 1]; k++) v = unchecked(v + values[g.Deps[k]]);
            values[i] = v;
        }

        return values[^1];
    }

    /// <summary>The normative graph text: one line per node "id c dep1,dep2,...\n".</summary>
    public static void WriteText(TextWriter w, int count, Func<int, ulong> c, Func<int, IEnumerable<int>> deps)
    {
        for (var i = 0; i < count; i++)
        {
            w.Write(i);
            w.Write(' ');
            w.Write(c(i));
            w.Write(' ');
            w.Write(string.Join(',', deps(i)));
            w.Write('\n');
        }
    }

    public static string Sha256(int count, Func<int, ulong> c, Func<int, IEnumerable<int>> deps)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var sb = new StringBuilder(64);
        for (var i = 0; i < count; i++)
        {
            sb.Clear();
            sb.Append(i).Append(' ').Append(c(i)).Append(' ').AppendJoin(',', deps(i)).Append('\n');
            hash.AppendData(Encoding.UTF8.GetBytes(sb.ToString()));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
