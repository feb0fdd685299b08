using System.Text.Json;
using VoxScheduler.Dag;

namespace VoxScheduler.Tests.Dag;

public sealed class CanonicalJsonTests
{
    [Theory]
    [InlineData(0.0, "0")]
    [InlineData(1.0, "1")]
    [InlineData(-3.0, "-3")]
    [InlineData(0.5, "0.5")]
    [InlineData(123.456, "123.456")]
    [InlineData(1e20, "100000000000000000000")]
    [InlineData(1e21, "1e+21")]
    [InlineData(1e-6, "0.000001")]
    [InlineData(1e-7, "1e-7")]
    [InlineData(1.5e-10, "1.5e-10")]
    [InlineData(5e-324, "5e-324")]
    [InlineData(1.7976931348623157e308, "1.7976931348623157e+308")]
    [InlineData(4.35, "4.35")]
    [InlineData(0.1 + 0.2, "0.30000000000000004")]
    public void Numbers_are_written_as_ECMAScript_does(double value, string expected) =>
        Assert.Equal(expected, CanonicalJson.FormatNumber(value));

    [Fact]
    public void Negative_zero_is_written_as_zero() => Assert.Equal("0", CanonicalJson.FormatNumber(-0.0));

    [Theory]
    [InlineData(-0.0, "0")]
    [InlineData(7.0, "7")]
    [InlineData(-1000000007.0, "-1000000007")]
    [InlineData(9007199254740991.0, "9007199254740991")]
    [InlineData(-9007199254740991.0, "-9007199254740991")]
    [InlineData(9007199254740992.0, "9007199254740992")]
    [InlineData(1152921504606846976.0, "1152921504606847000")] // 2^60: ECMAScript prints its shortest digits, not the exact integer
    [InlineData(1e20, "100000000000000000000")]
    [InlineData(2.5, "2.5")]
    public void Written_numbers_match_the_ECMAScript_form(double value, string expected)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        CanonicalJson.WriteNumber(buffer, value);
        Assert.Equal(expected, System.Text.Encoding.ASCII.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void The_integer_fast_path_agrees_with_the_general_formatting()
    {
        var random = new Random(20261126);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        for (var i = 0; i < 20_000; i++)
        {
            // Integers of every magnitude around the 2^53 boundary, both signs, and some fractions.
            var magnitude = Math.Pow(2, random.Next(0, 64));
            var value = Math.Floor(random.NextDouble() * magnitude) * (random.Next(2) == 0 ? 1 : -1);
            if (i % 10 == 0) value += 0.5;
            buffer.ResetWrittenCount();
            CanonicalJson.WriteNumber(buffer, value);
            Assert.Equal(CanonicalJson.FormatNumber(value), System.Text.Encoding.ASCII.GetString(buffer.WrittenSpan));
        }
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Non_finite_numbers_are_refused_when_written(double value) =>
        Assert.Throws<ArgumentException>(() => CanonicalJson.WriteNumber(new System.Buffers.ArrayBufferWriter<byte>(), value));

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Non_finite_numbers_are_refused(double value) =>
        Assert.Throws<ArgumentException>(() => CanonicalJson.FormatNumber(value));

    [Fact]
    public void Object_keys_are_sorted_by_UTF16_code_units()
    {
        var value = new Dictionary<string, object?> { ["b"] = 1.0, ["a"] = 2.0, ["\u00e9"] = 3.0, ["A"] = 4.0, ["aa"] = null };
        Assert.Equal("{\"A\":4,\"a\":2,\"aa\":null,\"b\":1,\"\u00e9\":3}", CanonicalJson.SerializeToString(value));
    }

    [Fact]
    public void Strings_use_minimal_escaping_and_raw_UTF8()
    {
        Assert.Equal("\"a\\\"b\\\\c\\n\\t\\r\\b\\f\\u0001é€\u2028\"", CanonicalJson.SerializeToString("a\"b\\c\n\t\r\b\f\u0001é€\u2028"));
    }

    [Fact]
    public void Json_elements_canonicalise_like_the_equivalent_values()
    {
        using var doc = JsonDocument.Parse("{ \"z\": [1.0, 2.50, true, null], \"a\": \"x\" }");
        Assert.Equal("{\"a\":\"x\",\"z\":[1,2.5,true,null]}", CanonicalJson.SerializeToString(doc.RootElement));
    }

    [Fact]
    public void Sixty_four_bit_integers_are_written_exactly()
    {
        Assert.Equal("18446744073709551615", CanonicalJson.SerializeToString(ulong.MaxValue));
        Assert.Equal("-9223372036854775808", CanonicalJson.SerializeToString(long.MinValue));
    }

    [Fact]
    public void Values_without_a_JSON_form_are_refused()
    {
        Assert.Throws<ArgumentException>(() => CanonicalJson.Serialize(new byte[] { 1 }));
        Assert.Throws<ArgumentException>(() => CanonicalJson.Serialize(new object()));
    }
}
