using VoxScheduler.Dag;
using VoxScheduler.Operations;
using VoxScheduler.Operations.Builtins;

namespace VoxScheduler.Tests.Language;

public sealed class PrimitiveTests
{
    private static readonly OperationRegistry Registry = BuiltinOperations.CreateRegistry();

    private static object? Call(string name, params object?[] args) => Call(name, null, args);

    private static object? Call(string name, IReadOnlyDictionary<string, object?>? attributes, params object?[] args)
    {
        Assert.True(Registry.TryGet(name, out var op), name);
        var context = new OperationContext(op, NodeId.Empty, args, attributes, OperationEnvironment.Default, CancellationToken.None);
        return op.ExecuteAsync(context).AsTask().GetAwaiter().GetResult().Value;
    }

    private static string Fails(string name, params object?[] args) =>
        Assert.ThrowsAny<Exception>(() => Call(name, args)).Message;

    private static readonly HashSet<string> ImageAware =
    [
        "default.add", "default.sub", "default.mul", "default.div", "default.eq", "default.neq", "default.lt", "default.leq",
        "default.gt", "default.geq", "default.and", "default.or", "default.not", "default.abs", "default.min", "default.max",
    ];

    [Fact]
    public void Every_builtin_has_a_description_an_arity_and_revision_one_except_load_and_the_image_aware_ones_at_two()
    {
        var expected = new[]
        {
            "default.add", "default.sub", "default.mul", "default.div", "default.mod", "default.neg", "default.eq", "default.neq",
            "default.lt", "default.leq", "default.gt", "default.geq", "default.and", "default.or", "default.not", "default.range",
            "default.sequence", "default.index", "default.slice", "default.subsequence", "default.map", "default.fold",
            "default.argmax", "default.argmin", "default.length", "default.sum", "default.min", "default.max", "default.mean",
            "default.abs", "default.floor", "default.ceil", "default.round", "default.sqrt", "default.exp", "default.log", "default.pow",
            "default.to_string", "default.to_number", "default.load", "default.dir",
            "strings.concat", "strings.format", "strings.format_string", "strings.length", "strings.upper", "strings.lower", "strings.split", "strings.join",
            "strings.replace", "strings.contains",
            "test.spin", "test.sleep", "test.blob", "test.fail", "test.flaky",
        };
        foreach (var name in expected)
        {
            Assert.True(Registry.TryGet(name, out var op), name);
            Assert.False(string.IsNullOrWhiteSpace(op.Description), name);
            // load reads images through their value kind since revision 2 (#15); the primitives that
            // learned images (IMAGES.md §4) had their revision bumped too: their stored results before that are stale.
            Assert.Equal(name == "default.load" || ImageAware.Contains(name) ? 2 : 1, op.Revision);
        }

        Assert.All(Registry.All.Where(o => o.Namespace is "default" or "strings"), o => Assert.False(string.IsNullOrWhiteSpace(o.Description), o.Name));
        Assert.Equal("1..2", Registry.InNamespace("default").Single(o => o.ShortName == "range").ArityText);
        Assert.Equal("0..", Registry.InNamespace("default").Single(o => o.ShortName == "sequence").ArityText);
    }

    [Fact]
    public void Arithmetic_is_element_wise_on_sequences()
    {
        Assert.Equal(new object?[] { 11d, 22d }, Call("default.add", new object?[] { 1d, 2d }, new object?[] { 10d, 20d }));
        Assert.Equal(new object?[] { 2d, new object?[] { 4d, 6d } }, Call("default.mul", new object?[] { 1d, new object?[] { 2d, 3d } }, 2d));
        Assert.Equal(new object?[] { 9d, 8d }, Call("default.sub", 10d, new object?[] { 1d, 2d }));
        Assert.Equal(new object?[] { -1d, -2d }, Call("default.neg", [new object?[] { 1d, 2d }]));
        Assert.Equal(new object?[] { 1d, 2d }, Call("default.abs", [new object?[] { -1d, 2d }]));
        Assert.Equal("abcd", Call("default.add", "ab", "cd"));
        Assert.Equal(-2d, Call("default.mod", -17d, 5d));
    }

    [Fact]
    public void Run_time_errors_have_clear_messages()
    {
        Assert.Contains("division by zero", Fails("default.div", 1d, 0d));
        Assert.Contains("division by zero", Fails("default.div", new object?[] { 1d, 2d }, 0d));
        Assert.Contains("division by zero", Fails("default.mod", 1d, 0d));
        Assert.Contains("index 5 is out of range for a sequence of 2 items", Fails("default.index", new object?[] { 1d, 2d }, 5d));
        Assert.Contains("index -1 is out of range", Fails("default.index", new object?[] { 1d }, -1d));
        Assert.Contains("must be an integral number", Fails("default.index", new object?[] { 1d }, 0.5));
        Assert.Contains("different lengths (1 and 2)", Fails("default.add", new object?[] { 1d }, new object?[] { 1d, 2d }));
        Assert.Contains("not a finite number", Fails("default.sqrt", -1d));
        Assert.Contains("not a finite number", Fails("default.log", 0d));
        Assert.Contains("argument 1 must be a boolean, not number", Fails("default.and", 1d, true));
        Assert.Contains("compares two numbers or two strings", Fails("default.lt", 1d, "a"));
        Assert.Contains("empty sequence", Fails("default.max", [Array.Empty<object?>()]));
        Assert.Contains("longer than the limit", Fails("default.range", 1e12));
    }

    [Fact]
    public void Sequences_index_slice_and_aggregate()
    {
        Assert.Equal(new object?[] { 2d, 3d, 4d }, Call("default.range", 2d, 5d));
        Assert.Equal(Array.Empty<object?>(), Call("default.range", 5d, 2d));
        Assert.Equal(new object?[] { 2d, 3d }, Call("default.slice", new object?[] { 1d, 2d, 3d, 4d }, 1d, 3d));
        Assert.Equal(new object?[] { 3d, 4d }, Call("default.slice", new object?[] { 1d, 2d, 3d, 4d }, 2d, null));
        Assert.Equal(Array.Empty<object?>(), Call("default.slice", new object?[] { 1d, 2d }, 5d, 9d));
        Assert.Equal(Array.Empty<object?>(), Call("default.slice", new object?[] { 1d, 2d }, 2d, 1d));
        Assert.Equal(new object?[] { 2d }, Call("default.subsequence", new object?[] { 1d, 2d }, 1d));
        Assert.Equal(3d, Call("default.argmax", [new object?[] { 1d, 5d, 3d, 7d, 7d }]));
        Assert.Equal(0d, Call("default.argmin", [new object?[] { 1d, 5d, 3d }]));
        Assert.Equal(2d, Call("default.mean", [new object?[] { 1d, 2d, 3d }]));
        Assert.Equal(0d, Call("default.sum", [Array.Empty<object?>()]));
        Assert.Equal("bc", Call("default.slice", "abcd", 1d, 3d));
    }

    [Fact]
    public void Folds_use_their_default_initial_values()
    {
        object? Fold(string op, params object?[] args) => Call("default.fold", new Dictionary<string, object?> { ["operator"] = op }, args);
        var xs = new object?[] { 3d, 1d, 2d };
        Assert.Equal(6d, Fold("+", new object?[] { xs }));
        Assert.Equal(-6d, Fold("-", new object?[] { xs }));
        Assert.Equal(6d, Fold("*", new object?[] { xs }));
        Assert.Equal(1d, Fold("min", new object?[] { xs }));
        Assert.Equal(3d, Fold("max", new object?[] { xs }));
        Assert.Equal(true, Fold("&&", new object?[] { Array.Empty<object?>() }));
        Assert.Equal(false, Fold("||", new object?[] { new object?[] { false, false } }));
        Assert.Equal(1d, Fold("/", 6d, xs)); // ((6 / 3) / 1) / 2
        Assert.Equal(new object?[] { 4d, 6d }, Fold("+", new object?[] { new object?[] { new object?[] { 1d, 2d }, new object?[] { 3d, 4d } } }));
    }

    [Theory]
    [InlineData(3d, "3")]
    [InlineData(0.5, "0.5")]
    [InlineData(-0.0, "0")]
    [InlineData(1e21, "1e+21")]
    [InlineData(1e-7, "1e-7")]
    [InlineData(123456789012d, "123456789012")]
    [InlineData(true, "true")]
    public void To_string_is_invariant_shortest_round_trip(object value, string expected) => Assert.Equal(expected, Call("default.to_string", value));

    [Fact]
    public void Format_fills_placeholders()
    {
        Assert.Equal("P scored 0.87", Call("strings.format", "{} scored {:.2f}", "P", 0.8732));
        Assert.Equal("b a b", Call("strings.format", "{1} {0} {1}", "a", "b"));
        Assert.Equal("{x} 1.50", Call("strings.format", "{{x}} {0:.2f}", 1.5));
        Assert.Contains("needs argument 1", Fails("strings.format", "{} {}", 1d));
        Assert.Contains("unclosed", Fails("strings.format", "{", 1d));
        Assert.Contains("unknown format", Fails("strings.format", "{:x}", 1d));
        Assert.Equal("n=3 0.5 [1,\"a\"]", Call("strings.concat", "n=", 3d, " ", 0.5, " ", new object?[] { 1d, "a" }));
    }

    // Expected texts are CPython 3's str.format on the same template and arguments (VoxLogicA-2's format_string).
    [Theory]
    [InlineData("{:.2%}", 0.8732, "87.32%")]
    [InlineData("{:03d}", 7d, "007")]
    [InlineData("{:,}", 1234567d, "1,234,567")]
    [InlineData("{:>8}", "ab", "      ab")]
    [InlineData("{:^9}", "mid", "   mid   ")]
    [InlineData("{:<6}|", 3d, "3     |")]
    [InlineData("{:+.3f}", 2.5, "+2.500")]
    [InlineData("{:.3e}", 123456d, "1.235e+05")]
    [InlineData("{:e}", 0.000123, "1.230000e-04")]
    [InlineData("{:g}", 1234567d, "1.23457e+06")]
    [InlineData("{:g}", 0.0001, "0.0001")]
    [InlineData("{:.3g}", 0.00001234, "1.23e-05")]
    [InlineData("{:#x}", 255d, "0xff")]
    [InlineData("{:08.3f}", -3.14159, "-003.142")]
    [InlineData("{:08,}", 1234d, "0,001,234")]
    [InlineData("{:_b}", 10d, "1010")]
    [InlineData("{{{}}}", 5d, "{5}")]
    [InlineData("{:*^10.2f}", 3.14159, "***3.14***")]
    [InlineData("{:=+8}", 42d, "+     42")]
    [InlineData("{: d}", 42d, " 42")]
    [InlineData("{:.1f}", 0.25, "0.2")]
    [InlineData("{:.0f}", 2.5, "2")]
    [InlineData("{:,.2f}", 1234567.891, "1,234,567.89")]
    [InlineData("{:X}", 48879d, "BEEF")]
    [InlineData("{:o}", 8d, "10")]
    [InlineData("{:.2s}", "hello", "he")]
    [InlineData("{:05}", "ab", "ab000")]
    [InlineData("{:08}", double.PositiveInfinity, "00000inf")]
    [InlineData("{}", 0.8732, "0.8732")]
    [InlineData("{:10.4}", 3.14159265, "     3.142")]
    public void Format_string_follows_python_str_format(string template, object value, string expected) =>
        Assert.Equal(expected, Call("strings.format_string", template, value));

    [Fact]
    public void Format_string_numbers_fields_and_rejects_what_python_rejects()
    {
        Assert.Equal("b-a", Call("strings.format_string", "{1}-{0}", "a", "b"));
        Assert.Contains("integral numbers", Fails("strings.format_string", "{:d}", 2.5));
        Assert.Contains("not the string", Fails("strings.format_string", "{:d}", "x"));
        Assert.Contains("manual field numbering", Fails("strings.format_string", "{0} {}", 1d, 2d));
        Assert.Contains("needs argument 1", Fails("strings.format_string", "{} {}", 1d));
        Assert.Contains("invalid format spec", Fails("strings.format_string", "{:.x}", 1d));
        Assert.Contains("does not know", Fails("strings.format_string", "{:c}", 65d));
        Assert.Contains("width above", Fails("strings.format_string", "{:99999999}", 1d));
    }
}
