using VoxScheduler.Images.Kernels;

namespace VoxScheduler.Tests.Images.Kernels;

public sealed class VoxelwiseKernelTests
{
    // Lengths not multiple of any vector width, and long enough to take the float kernels'
    // parallel path (and/or/not split only past VoxelLogic.SplitBytes: tested below).
    public static TheoryData<int> Lengths => new() { 1, 7, 33, 1000, 300_001 };

    private static float[] RandomFloats(int seed, int n) =>
        Enumerable.Range(0, n).Select(_ => 0f).Select((_, i) => (float)(new Random(seed + i).Next(-5, 6) * 0.5)).ToArray();

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Arithmetic_matches_scalar_float32(int n)
    {
        var a = RandomFloats(1, n);
        var b = RandomFloats(2, n);
        var d = new float[n];
        VoxelArithmetic.Binary<FloatOps.Sub>(a, b, d, CancellationToken.None);
        Assert.Equal(a.Zip(b, (x, y) => x - y), d);
        VoxelArithmetic.Binary<FloatOps.Div>(a, b, d, CancellationToken.None);
        Assert.Equal(a.Zip(b, (x, y) => x / y), d); // IEEE: ±∞ and NaN where b is 0
        VoxelArithmetic.WithScalar<FloatOps.Sub>(a, 0.25f, scalarFirst: true, d, CancellationToken.None);
        Assert.Equal(a.Select(x => 0.25f - x), d);
        VoxelArithmetic.WithScalar<FloatOps.Div>(a, 4f, scalarFirst: false, d, CancellationToken.None);
        Assert.Equal(a.Select(x => x / 4f), d);
        VoxelArithmetic.Abs(a, d, CancellationToken.None);
        Assert.Equal(a.Select(MathF.Abs), d);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Comparisons_give_zero_one_masks(int n)
    {
        var a = RandomFloats(3, n);
        var b = RandomFloats(4, n);
        if (n > 2) { a[1] = float.NaN; b[2] = float.NaN; }
        var d = new byte[n];
        VoxelArithmetic.Compare<FloatOps.Lt>(a, b, d, CancellationToken.None);
        Assert.Equal(a.Zip(b, (x, y) => (byte)(x < y ? 1 : 0)), d);
        VoxelArithmetic.Compare<FloatOps.Neq>(a, b, d, CancellationToken.None);
        Assert.Equal(a.Zip(b, (x, y) => (byte)(x != y ? 1 : 0)), d);
        VoxelArithmetic.CompareScalar<FloatOps.Leq>(a, 0.5f, scalarFirst: true, d, CancellationToken.None);
        Assert.Equal(a.Select(x => (byte)(0.5f <= x ? 1 : 0)), d);
        VoxelArithmetic.CompareScalar<FloatOps.Eq>(a, 0.5f, scalarFirst: false, d, CancellationToken.None);
        Assert.Equal(a.Select(x => (byte)(x == 0.5f ? 1 : 0)), d);
    }

    // Every length around the 256-bit paths' steps (32 bytes, 4 × 8 floats), at every start
    // offset within a vector (the non-temporal head aligns the output byte by byte), and one
    // output past VoxelSimd.NonTemporalBytes at odd offsets; with the wide paths on and off.
    public static TheoryData<bool> Paths => new() { true, false };

    [Theory]
    [MemberData(nameof(Paths))]
    public void Wide_and_portable_paths_match_scalar_at_every_tail_and_offset(bool wide)
    {
        var was = VoxelSimd.Enabled;
        VoxelSimd.Enabled = wide && was;
        try
        {
            var cases = new List<(int Offset, int Length)>();
            for (var n = 0; n <= 140; n++) cases.Add((n % 33, n));
            foreach (var offset in new[] { 1, 31 }) cases.Add((offset, (int)VoxelSimd.NonTemporalBytes + 77));
            var random = new Random(15);
            foreach (var (offset, n) in cases)
            {
                var a = Oracles.RandomMask(random, offset + n, 0.5);
                var b = Oracles.RandomMask(random, offset + n, 0.5);
                var f = HalfSteps(random, offset + n);
                var g = HalfSteps(random, offset + n);
                if (n > 3) { f[offset + 1] = float.NaN; g[offset + 2] = float.NaN; }
                ReadOnlySpan<byte> sa = a.AsSpan(offset), sb = b.AsSpan(offset);
                ReadOnlySpan<float> sf = f.AsSpan(offset), sg = g.AsSpan(offset);
                var (ca, cb, cf, cg) = (a[offset..], b[offset..], f[offset..], g[offset..]);
                var d = new byte[offset + n + 5];
                var bytes = d.AsSpan(offset, n);
                var floats = new float[offset + n + 5];
                var numbers = floats.AsSpan(offset, n);

                VoxelLogic.And(sa, sb, bytes, CancellationToken.None);
                CheckBytes(n, bytes, i => ca[i] & cb[i], d, offset);
                VoxelLogic.Or(sa, sb, bytes, CancellationToken.None);
                CheckBytes(n, bytes, i => ca[i] | cb[i], d, offset);
                VoxelLogic.Not(sa, bytes, CancellationToken.None);
                CheckBytes(n, bytes, i => 1 - ca[i], d, offset);
                VoxelArithmetic.CompareScalar<FloatOps.Geq>(sf, 0.5f, scalarFirst: false, bytes, CancellationToken.None);
                CheckBytes(n, bytes, i => cf[i] >= 0.5f ? 1 : 0, d, offset);
                VoxelArithmetic.CompareScalar<FloatOps.Lt>(sf, 0.5f, scalarFirst: true, bytes, CancellationToken.None);
                CheckBytes(n, bytes, i => 0.5f < cf[i] ? 1 : 0, d, offset);
                VoxelArithmetic.Compare<FloatOps.Neq>(sf, sg, bytes, CancellationToken.None);
                CheckBytes(n, bytes, i => cf[i] != cg[i] ? 1 : 0, d, offset);
                VoxelArithmetic.Binary<FloatOps.Add>(sf, sg, numbers, CancellationToken.None);
                CheckFloats(n, numbers, i => cf[i] + cg[i], offset);
                VoxelArithmetic.WithScalar<FloatOps.Div>(sf, 4f, scalarFirst: true, numbers, CancellationToken.None);
                CheckFloats(n, numbers, i => 4f / cf[i], offset);
                Assert.All(floats.Skip(offset + n), v => Assert.Equal(0f, v)); // nothing written past the end
            }
        }
        finally
        {
            VoxelSimd.Enabled = was;
        }
    }

    // and/or/not run on one core up to VoxelLogic.SplitBytes voxels and share larger images
    // between threads: an image of two ranges and a tail, at an odd offset, on both paths.
    [Theory]
    [MemberData(nameof(Paths))]
    public void Logic_past_the_split_size_matches_scalar(bool wide)
    {
        var was = VoxelSimd.Enabled;
        VoxelSimd.Enabled = wide && was;
        try
        {
            const int offset = 3;
            var n = 2 * VoxelLogic.SplitBytes + 77;
            var random = new Random(16);
            var a = Oracles.RandomMask(random, offset + n, 0.5);
            var b = Oracles.RandomMask(random, offset + n, 0.5);
            var (ca, cb) = (a.AsSpan(offset).ToArray(), b.AsSpan(offset).ToArray());
            var d = new byte[offset + n + 5];
            var bytes = d.AsSpan(offset, n);
            VoxelLogic.And(a.AsSpan(offset), b.AsSpan(offset), bytes, CancellationToken.None);
            CheckBytes(n, bytes, i => ca[i] & cb[i], d, offset);
            VoxelLogic.Or(a.AsSpan(offset), b.AsSpan(offset), bytes, CancellationToken.None);
            CheckBytes(n, bytes, i => ca[i] | cb[i], d, offset);
            VoxelLogic.Not(a.AsSpan(offset), bytes, CancellationToken.None);
            CheckBytes(n, bytes, i => 1 - ca[i], d, offset);
        }
        finally
        {
            VoxelSimd.Enabled = was;
        }
    }

    // Values in halves from -2.5 to 2.5: ties with the scalars and between images happen often.
    private static float[] HalfSteps(Random random, int n)
    {
        var v = new float[n];
        for (var i = 0; i < n; i++) v[i] = random.Next(-5, 6) * 0.5f;
        return v;
    }

    private static void CheckFloats(int n, Span<float> actual, Func<int, float> expected, int offset)
    {
        for (var i = 0; i < n; i++)
        {
            if (!actual[i].Equals(expected(i))) Assert.Fail($"voxel {i} of {n} (offset {offset}): {actual[i]}, expected {expected(i)}");
        }
    }

    private static void CheckBytes(int n, Span<byte> actual, Func<int, int> expected, byte[] whole, int offset)
    {
        for (var i = 0; i < n; i++)
        {
            if (actual[i] != expected(i)) Assert.Fail($"voxel {i} of {n} (offset {offset}): {actual[i]}, expected {expected(i)}");
        }

        for (var i = offset + n; i < whole.Length; i++) Assert.Equal(0, whole[i]); // nothing written past the end
    }

    [Fact]
    public void Between_is_inclusive_at_both_ends()
    {
        float[] a = [0.5f, 1f, 1.5f, 2f, 2.5f];
        var d = new byte[5];
        VoxelArithmetic.Between(a, 1f, 2f, d, CancellationToken.None);
        Assert.Equal(new byte[] { 0, 1, 1, 1, 0 }, d);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Logic_and_mask_match_scalar(int n)
    {
        var random = new Random(n);
        var a = Oracles.RandomMask(random, n, 0.5);
        var b = Oracles.RandomMask(random, n, 0.5);
        var d = new byte[n];
        VoxelLogic.And(a, b, d, CancellationToken.None);
        Assert.Equal(a.Zip(b, (x, y) => (byte)(x & y)), d);
        VoxelLogic.Or(a, b, d, CancellationToken.None);
        Assert.Equal(a.Zip(b, (x, y) => (byte)(x | y)), d);
        VoxelLogic.Not(a, d, CancellationToken.None);
        Assert.Equal(a.Select(x => (byte)(1 - x)), d);
        Assert.Equal(a.Count(x => x == 1), VoxelLogic.Count(a));

        var f = RandomFloats(5, n);
        f[0] = float.NaN;
        var m = new float[n];
        VoxelLogic.Mask(f, a, m, CancellationToken.None);
        Assert.Equal(f.Zip(a, (x, y) => y != 0 ? x : 0f), m);
    }

    [Fact]
    public void Min_max_skip_nan_and_the_masked_mean_accumulates_in_double()
    {
        float[] a = [3, float.NaN, -2, 7.5f, 1];
        Assert.Equal((-2f, 7.5f), VoxelReductions.MinMax(a, CancellationToken.None));
        var big = Enumerable.Repeat(0.1f, 300_001).ToArray();
        big[150_000] = -9;
        Assert.Equal((-9f, 0.1f), VoxelReductions.MinMax(big, CancellationToken.None));
        var (sum, count) = VoxelReductions.MaskedSum(a, [1, 0, 1, 1, 0], CancellationToken.None);
        Assert.Equal(8.5, sum);
        Assert.Equal(3, count);
    }

    [Fact]
    public void Border_and_coordinates()
    {
        var g = new VoxelGrid(4, 3, 3);
        var border = new byte[g.Count];
        Coordinates.Border(border, g);
        Assert.Equal(g.Count - 2, border.Count(v => v == 1)); // only (1,1,1) and (2,1,1) are inside
        Assert.Equal(0, border[g.Index(1, 1, 1)]);
        var g2 = new VoxelGrid(4, 3, 1);
        var border2 = new byte[g2.Count];
        Coordinates.Border(border2, g2);
        Assert.Equal(10, border2.Count(v => v == 1)); // a 2-D image: its one plane is not all border
        var zs = new float[g.Count];
        Coordinates.Index(zs, g, 2);
        Assert.Equal(2f, zs[g.Index(3, 2, 2)]);
        Coordinates.Index(zs, g, 0);
        Assert.Equal(3f, zs[g.Index(3, 2, 2)]);
    }
}
