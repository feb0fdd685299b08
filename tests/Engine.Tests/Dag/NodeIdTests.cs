using VoxScheduler.Dag;

namespace VoxScheduler.Tests.Dag;

public sealed class NodeIdTests
{
    private const string Hex = "baf06e38c494e317b81897214c9f5faba45dc3edab71cf5ca390b9126c4aacc7";

    [Fact]
    public void Parse_then_ToString_round_trips_lower_case_hex()
    {
        Assert.Equal(Hex, NodeId.Parse(Hex).ToString());
        Assert.Equal(Hex, NodeId.Parse(Hex.ToUpperInvariant()).ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("xyz")]
    [InlineData("baf06e38c494e317b81897214c9f5faba45dc3edab71cf5ca390b9126c4aacc")]
    [InlineData("baf06e38c494e317b81897214c9f5faba45dc3edab71cf5ca390b9126c4aacc77")]
    [InlineData("gaf06e38c494e317b81897214c9f5faba45dc3edab71cf5ca390b9126c4aacc7")]
    public void TryParse_rejects_anything_but_64_hex_digits(string text)
    {
        Assert.False(NodeId.TryParse(text, out _));
        Assert.Throws<FormatException>(() => NodeId.Parse(text));
    }

    [Fact]
    public void Bytes_round_trip_and_ordering_follows_the_bytes()
    {
        var id = NodeId.Parse(Hex);
        Assert.Equal(id, NodeId.FromBytes(id.ToByteArray()));
        var low = NodeId.Parse(new string('0', 63) + "1");
        var high = NodeId.Parse("1" + new string('0', 63));
        Assert.True(low.CompareTo(high) < 0);
        Assert.True(high.CompareTo(low) > 0);
        Assert.NotEqual(low.GetHashCode(), NodeId.Parse(new string('0', 63) + "2").GetHashCode());
    }

    [Fact]
    public void Empty_is_all_zero_and_distinct_from_real_ids()
    {
        Assert.True(NodeId.Empty.IsEmpty);
        Assert.False(NodeId.Parse(Hex).IsEmpty);
        Assert.Equal(new string('0', 64), NodeId.Empty.ToString());
    }
}
