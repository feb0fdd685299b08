using VoxScheduler.Values;

namespace VoxScheduler.Tests.Values;

public sealed class ValueCodecTests
{
    public static TheoryData<object?> Values => new()
    {
        null,
        0.0,
        -1.5,
        double.MaxValue,
        true,
        false,
        "",
        "héllo\n€",
        Array.Empty<byte>(),
        new byte[] { 0, 1, 255 },
        ulong.MaxValue,
        long.MinValue,
        Array.Empty<object?>(),
        new object?[] { 1.0, "a", true, null, new object?[] { 2.0, new byte[] { 9 } } },
    };

    [Theory]
    [MemberData(nameof(Values))]
    public void Every_runtime_value_round_trips(object? value)
    {
        var decoded = ValueCodec.Decode(ValueCodec.Encode(value));
        Assert.Equal(value, decoded);
    }

    [Fact]
    public void Records_round_trip_with_their_keys()
    {
        var record = new Dictionary<string, object?> { ["name"] = "P-1", ["score"] = 0.5, ["tags"] = new object?[] { "a" } };
        var decoded = Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(ValueCodec.Decode(ValueCodec.Encode(record)));
        Assert.Equal("P-1", decoded["name"]);
        Assert.Equal(0.5, decoded["score"]);
        Assert.Equal(new object?[] { "a" }, decoded["tags"]);
    }

    [Fact]
    public void Bytes_are_the_tag_followed_by_the_raw_bytes()
    {
        var encoded = ValueCodec.Encode(new byte[] { 7, 8 });
        Assert.Equal(new byte[] { (byte)ValueTag.Bytes, 7, 8 }, encoded);
    }

    [Fact]
    public void Normalize_maps_CLR_values_to_the_runtime_model()
    {
        Assert.Equal(3.0, ValueCodec.Normalize(3));
        Assert.Equal(new object?[] { 1.0, "x" }, ValueCodec.Normalize(new List<object> { 1, "x" }));
        Assert.Throws<ArgumentException>(() => ValueCodec.Normalize(new object()));
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 1, 0 })]
    [InlineData(new byte[] { 99 })]
    [InlineData(new byte[] { 5, 3, 1 })]
    [InlineData(new byte[] { 5, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F })]
    [InlineData(new byte[] { 2 })]
    [InlineData(new byte[] { 0, 0 })]
    public void Damaged_encodings_raise_FormatException(byte[] bytes) =>
        Assert.Throws<FormatException>(() => ValueCodec.Decode(bytes));

    [Theory]
    [InlineData((byte)5)] // sequence
    [InlineData((byte)8)] // record
    public void A_count_past_the_bytes_left_is_refused_before_anything_is_allocated_by_it(byte tag)
    {
        // 64 KiB of payload claiming 8 x 64 Ki + 8 items: the old bound let that through and allocated
        // an item array 64 times the value's size before failing further on.
        const int left = 64 * 1024;
        var claimed = (ulong)left * 8 + 8;
        var bytes = new List<byte> { tag };
        for (var v = claimed; ; v >>= 7)
        {
            if (v < 0x80) { bytes.Add((byte)v); break; }
            bytes.Add((byte)(v | 0x80));
        }

        bytes.AddRange(new byte[left]);
        var encoded = bytes.ToArray();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<FormatException>(() => ValueCodec.Decode(encoded));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains($"Length {claimed} larger than the remaining data ({left} bytes)", error.Message);
        Assert.True(allocated < left, $"decoding allocated {allocated} bytes for a {encoded.Length}-byte value");
    }

    [Fact]
    public void A_count_equal_to_the_bytes_left_still_reads()
    {
        // The bound is exact, not off by one: the longest byte string a payload can hold still decodes.
        var value = new object?[] { "x" };
        Assert.Equal(value, (object?[])ValueCodec.Decode(ValueCodec.Encode(value))!);
        Assert.Equal(new string('y', 300), ValueCodec.Decode(ValueCodec.Encode(new object?[] { new string('y', 300) })) is object?[] a ? a[0] : null);
    }

    [Fact]
    public void Random_bytes_never_crash_the_decoder()
    {
        var random = new Random(12345);
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = new byte[random.Next(0, 24)];
            random.NextBytes(bytes);
            try
            {
                ValueCodec.Decode(bytes);
            }
            catch (FormatException)
            {
            }
        }
    }

    [Fact]
    public void Classify_follows_the_specification_categories()
    {
        Assert.Equal(DataType.Primitive, ValueCodec.Classify(1.0));
        Assert.Equal(DataType.Primitive, ValueCodec.Classify("x"));
        Assert.Equal(DataType.Binary, ValueCodec.Classify(new byte[10], streamingThreshold: 100));
        Assert.Equal(DataType.LargeObject, ValueCodec.Classify(new byte[100], streamingThreshold: 100));
        Assert.Equal(DataType.Nested, ValueCodec.Classify(new object?[] { 1.0 }));
        Assert.Equal(DataType.Dataset, ValueCodec.Classify(new object?[] { new Dictionary<string, object?>() }));
    }
}
