using System.Text;
using VoxScheduler.Dag;
using VoxScheduler.Operations;
using VoxScheduler.Operations.Builtins;
using VoxScheduler.Values;

namespace VoxScheduler.Tests.Dag;

/// <summary>
/// The compact DAG form shared by a finished execution's retained DAG and the cluster's wire form:
/// restoring one's own bytes replicates the DAG node for node, reading a stranger's rebuilds it
/// with ids computed, every problem listed and every size bounded.
/// </summary>
public sealed class DagCodecTests
{
    private static readonly DagValueCodec Values = new(ValueCodec.Encode, ValueCodec.Decode);

    private static readonly OperationRegistry Registry = BuiltinOperations.CreateRegistry();

    /// <summary>A constant of every value type the DAG carries.</summary>
    private static readonly object?[] Constants =
    [
        null, true, false, 0.0, -1.5, 1e300, 2.5e-8, 9007199254740993.0, "", "héllo ✓\n\"quoted\"", long.MinValue, long.MaxValue, ulong.MaxValue,
        Array.Empty<object?>(), new object?[] { 1.0, "two", true, null, new object?[] { 3.0 } },
        new Dictionary<string, object?>(), new Dictionary<string, object?> { ["name"] = "P-1", ["n"] = 2L, ["inner"] = new Dictionary<string, object?> { ["u"] = 7UL } },
    ];

    private static int Revision(string name) => Registry.TryGet(name, out var op) ? op.Revision : throw new InvalidOperationException(name);

    /// <summary>Every value type as a constant goal, operations with and without attributes sharing an operator, labels, every goal kind, metadata.</summary>
    private static DagDefinition Sample()
    {
        var b = new DagBuilder();
        var constants = Constants.Select(b.Constant).ToArray();
        var one = b.Constant(1.0);
        var add = b.Operation("default.add", Revision("default.add"), [one, one]);
        var withAttributes = b.Operation("default.add", Revision("default.add"), [add, one],
            new Dictionary<string, object?> { ["k"] = new object?[] { 1.0, "x" }, ["big"] = ulong.MaxValue, ["r"] = new Dictionary<string, object?> { ["z"] = null } });
        var range = b.Operation("default.range", Revision("default.range"), [one, withAttributes]);
        var length = b.Operation("default.length", Revision("default.length"), [range]);
        for (var i = 0; i < constants.Length; i++) b.AddGoal(new DagGoal($"c{i}", GoalKind.Node, constants[i]));
        b.AddGoal(new DagGoal("printed", GoalKind.Print, length));
        b.AddGoal(new DagGoal("saved", GoalKind.Save, withAttributes, "out/ä.txt"));
        Assert.True(b.TryLabel("sum", add));
        Assert.True(b.TryLabel("ränge", range));
        return b.Build("sample-dag", new Dictionary<string, object?> { ["origin"] = "tests", ["n"] = 3L });
    }

    private static void AssertSameDag(DagDefinition expected, DagDefinition actual)
    {
        Assert.Equal(expected.DagId, actual.DagId);
        Assert.Equal(expected.Nodes.Count, actual.Nodes.Count);
        for (var i = 0; i < expected.Nodes.Count; i++)
        {
            var (e, a) = (expected.Nodes[i], actual.Nodes[i]);
            Assert.Equal((i, e.Id, e.Kind, e.Operator, e.Revision, string.Join(",", e.Arguments)), (a.Index, a.Id, a.Kind, a.Operator, a.Revision, string.Join(",", a.Arguments)));
            // The value codec's bytes are equal only for equal values of equal types (a ulong stays a ulong).
            Assert.Equal(ValueCodec.Encode(e.Value), ValueCodec.Encode(a.Value));
            Assert.Equal(e.Attributes is null ? null : ValueCodec.Encode(e.Attributes), a.Attributes is null ? null : ValueCodec.Encode(a.Attributes));
        }

        Assert.Equal(expected.Goals, actual.Goals);
        Assert.Equal(expected.Labels.OrderBy(l => l.Key, StringComparer.Ordinal), actual.Labels.OrderBy(l => l.Key, StringComparer.Ordinal));
        Assert.Equal(expected.Metadata is null ? null : ValueCodec.Encode(expected.Metadata), actual.Metadata is null ? null : ValueCodec.Encode(actual.Metadata));
    }

    private static ValidationException ReadFails(byte[] form, DagCodecLimits? limits = null) =>
        Assert.Throws<ValidationException>(() => DagCodec.Read(form, Values, Registry, limits ?? DagCodecLimits.Default));

    [Fact]
    public void Restoring_replicates_every_node_kind_value_type_label_goal_and_the_metadata()
    {
        var b = new DagBuilder();
        var outside = b.External(DagBuilder.ComputeConstantId("elsewhere"));
        b.AddGoal(new DagGoal("ext", GoalKind.Node, b.Operation("default.add", 1, [outside, b.Constant(2.0)])));
        b.TryLabel("outside", outside);
        foreach (var dag in new[] { Sample(), b.Build() })
        {
            var form = DagCodec.TryWrite(dag, Values, keepIds: true);

            Assert.NotNull(form);
            AssertSameDag(dag, DagCodec.Restore(form, Values));
        }
    }

    [Fact]
    public void Reading_rebuilds_the_same_DAG_with_every_id_computed()
    {
        var dag = Sample();
        var form = DagCodec.TryWrite(dag, Values, keepIds: false);

        Assert.NotNull(form);
        Assert.Equal(form, DagCodec.TryWrite(dag, Values, keepIds: true)); // every id follows from its node: none is written
        AssertSameDag(dag, DagCodec.Read(form, Values, Registry, DagCodecLimits.Default));
    }

    [Fact]
    public void Reading_takes_the_readers_operator_names_and_revisions()
    {
        var b = new DagBuilder();
        var one = b.Constant(1.0);
        b.AddGoal(new DagGoal("x", GoalKind.Node, b.Operation("add", 99, [one, one])));

        var read = DagCodec.Read(DagCodec.TryWrite(b.Build("d"), Values, keepIds: false)!, Values, Registry, DagCodecLimits.Default);

        var node = read.Nodes[read.Goals[0].Node];
        Assert.Equal(("default.add", Revision("default.add")), (node.Operator, node.Revision));
        var expected = new DagBuilder();
        var e1 = expected.Constant(1.0);
        Assert.Equal(expected[expected.Operation("default.add", Revision("default.add"), [e1, e1])].Id, node.Id);
    }

    [Fact]
    public void A_value_that_does_not_read_back_keeps_its_id_when_ids_are_kept_and_a_stranger_may_not_give_one()
    {
        // Two keys that differ only in lone surrogates are two keys in memory and one once
        // encoded as UTF-8 (both become U+FFFD): the value read back hashes to another id.
        var collide = new Dictionary<string, object?> { ["\ud800"] = 1.0, ["\udc00"] = 2.0 };
        var b = new DagBuilder();
        var constant = b.Constant(collide);
        var op = b.Operation("default.add", Revision("default.add"), [constant, constant], collide);
        b.AddGoal(new DagGoal("x", GoalKind.Node, op));
        var dag = b.Build("explicit");
        Assert.NotEqual(dag.Nodes[constant].Id, DagBuilder.ComputeConstantId(ValueCodec.Decode(ValueCodec.Encode(collide))));

        var kept = DagCodec.TryWrite(dag, Values, keepIds: true)!;
        var unkept = DagCodec.TryWrite(dag, Values, keepIds: false)!;
        var restored = DagCodec.Restore(kept, Values);

        Assert.Equal(unkept.Length + 2 * NodeId.ByteLength, kept.Length); // the constant's id and the operation's
        Assert.Equal(dag.Nodes.Select(n => n.Id), restored.Nodes.Select(n => n.Id));
        var e = ReadFails(kept);
        Assert.Equal(["GivenId", "GivenId"], e.Problems.Select(p => p.Code));
        Assert.Contains("Node 0 carries its own id", e.Message);
    }

    [Fact]
    public void External_nodes_have_a_form_only_with_ids_and_a_stranger_may_not_send_one()
    {
        var b = new DagBuilder();
        var outside = b.External(DagBuilder.ComputeConstantId(5.0));
        b.AddGoal(new DagGoal("x", GoalKind.Node, b.Operation("default.add", Revision("default.add"), [outside, b.Constant(1.0)])));
        var dag = b.Build();

        Assert.Null(DagCodec.TryWrite(dag, Values, keepIds: false));
        var e = ReadFails(DagCodec.TryWrite(dag, Values, keepIds: true)!);
        Assert.Equal("ExternalNode", Assert.Single(e.Problems).Code);
    }

    [Fact]
    public void A_DAG_with_a_value_the_value_codec_cannot_encode_has_no_form()
    {
        var b = new DagBuilder();
        b.AddGoal(new DagGoal("x", GoalKind.Node, b.Constant(System.Text.Json.JsonDocument.Parse("[1, 2]").RootElement)));

        Assert.Null(DagCodec.TryWrite(b.Build(), Values, keepIds: true));
        Assert.Null(DagCodec.TryWrite(b.Build(), Values, keepIds: false));
    }

    [Fact]
    public void Every_truncation_and_every_corrupted_byte_gives_a_validation_error_never_another_exception()
    {
        var form = DagCodec.TryWrite(Sample(), Values, keepIds: true)!;
        var outcomes = new List<Exception?>();
        for (var length = 0; length < form.Length; length++)
        {
            outcomes.Add(Record.Exception(() => DagCodec.Read(form[..length], Values, Registry, DagCodecLimits.Default)));
            outcomes.Add(Record.Exception(() => DagCodec.Restore(form[..length], Values)));
        }

        Assert.All(outcomes, o => Assert.IsType<ValidationException>(o)); // a prefix is never a whole form
        outcomes.Clear();
        foreach (var flip in new byte[] { 0x01, 0x80, 0xFF })
        {
            for (var i = 0; i < form.Length; i++)
            {
                var broken = (byte[])form.Clone();
                broken[i] ^= flip;
                outcomes.Add(Record.Exception(() => DagCodec.Read(broken, Values, Registry, DagCodecLimits.Default)));
                outcomes.Add(Record.Exception(() => DagCodec.Restore(broken, Values)));
            }
        }

        // A flipped byte may still be a valid form (another number, another letter of a name); when it is not, the error is a validation error.
        Assert.All(outcomes, o => Assert.True(o is null or ValidationException, o?.ToString()));
        Assert.Contains(outcomes, o => o is ValidationException v && v.Message.Contains("malformed", StringComparison.Ordinal));
    }

    [Fact]
    public void An_earlier_or_unknown_version_is_a_clear_error()
    {
        var form = DagCodec.TryWrite(Sample(), Values, keepIds: false)!;
        var earlier = (byte[])form.Clone();
        earlier[0] = 1;
        var unknown = (byte[])form.Clone();
        unknown[0] = 3;

        var e = ReadFails(earlier);
        Assert.Equal("UnsupportedDagVersion", Assert.Single(e.Problems).Code);
        Assert.Contains("version 1", e.Message);
        Assert.Contains($"reads version {DagCodec.Version} only", e.Message);
        Assert.Contains("3 is not a version of it", ReadFails(unknown).Message);
        Assert.Equal(DagCodec.Version, BitConverter.ToInt32(form)); // little-endian on every platform this runs on; the reader reads it as such
    }

    [Fact]
    public void The_limits_on_bytes_and_nodes_are_enforced()
    {
        var dag = Sample();
        var form = DagCodec.TryWrite(dag, Values, keepIds: false)!;

        Assert.Equal("DagTooLarge", Assert.Single(ReadFails(form, new DagCodecLimits { MaxBytes = form.Length - 1 }).Problems).Code);
        Assert.Equal("TooManyNodes", Assert.Single(ReadFails(form, new DagCodecLimits { MaxNodes = dag.Nodes.Count - 1 }).Problems).Code);
        Assert.Equal(dag.Nodes.Count, DagCodec.Read(form, Values, Registry, new DagCodecLimits { MaxBytes = form.Length, MaxNodes = dag.Nodes.Count }).Nodes.Count);
    }

    [Fact]
    public void A_count_larger_than_the_bytes_left_is_refused_before_anything_is_allocated_for_it()
    {
        // A billion nodes, arguments or bytes of text announced in a few bytes.
        var nodes = new Form().Version().String("d").Varint(1_000_000_000).Bytes;
        var arguments = new Form().Version().String("d").Varint(1).Byte(1).Varint(0).String("default.add").Varint(1).Varint(1_000_000_000).Bytes;
        var text = new Form().Version().Varint(int.MaxValue).Bytes;
        var tooBig = new Form().Version().Byte(0xFF).Byte(0xFF).Byte(0xFF).Byte(0xFF).Byte(0x7F).Bytes;

        Assert.Contains("1000000000 nodes cannot fit", ReadFails(nodes).Message);
        Assert.Contains("1000000000 node 0's arguments cannot fit", ReadFails(arguments).Message);
        Assert.Contains("bytes of text cannot fit", ReadFails(text).Message);
        Assert.Contains("does not fit 32 bits", ReadFails(tooBig).Message);
    }

    [Fact]
    public void Every_problem_of_a_strangers_form_is_listed_at_once()
    {
        var form = new Form().Version().String("d").Varint(7)
            .Byte(0).Block(ValueCodec.Encode(double.NaN))                                   // 0: a value with no id
            .Byte(0).Block([0xEE, 1, 2])                                                     // 1: not a value
            .Byte(0).Block(ValueCodec.Encode(1.0))                                           // 2: fine
            .Byte(1).Varint(0).String("session.mine").Varint(1).Varint(1).Varint(1)         // 3: unknown operator
            .Byte(1).Varint(1).String("default.add").Varint(1).Varint(1).Varint(2)          // 4: wrong arity
            .Byte(1).Varint(1).Varint(1).Varint(2).Varint(0).Varint(1)                       // 5: an argument that is itself
            .Byte(1 | 0x08).Varint(1).Varint(1).Varint(2).Varint(4).Varint(4).Block(ValueCodec.Encode(5.0)) // 6: attributes that are not a record
            .Varint(3).String("g").Varint(7).Varint(2).Byte(0).String("h").Varint(2).Varint(99).Byte(0).String("ok").Varint(2).Varint(2).Byte(0)
            .Varint(2).String("").Varint(2).String("far").Varint(70)
            .Byte(1).Block(ValueCodec.Encode("not a record"))
            .Bytes;

        var e = ReadFails(form);

        Assert.Equal(
            ["InvalidValue", "InvalidValue", "UnknownOperation", "WrongArity", "MissingDependency", "InvalidValue", "InvalidGoal", "InvalidGoal", "InvalidLabel", "InvalidLabel", "InvalidValue"],
            e.Problems.Select(p => p.Code));
        Assert.Contains("Node 0's value cannot be part of a node's id", e.Message);
        Assert.Contains("Node 1's value is not a value", e.Message);
        Assert.Contains("'session.mine'", e.Message);
        Assert.Contains("Node 5's argument 0 is 0 node(s) back", e.Message);
        Assert.Contains("Node 6's attributes is not a record", e.Message);
        Assert.Contains("Goal 'g' has the unknown kind 7", e.Message);
        Assert.Contains("Goal 'h' names node 99", e.Message);
        Assert.Contains("The DAG's metadata is not a record", e.Message);
    }

    [Fact]
    public void A_strangers_empty_DAG_and_save_goal_without_a_path_are_refused_as_the_JSON_path_refuses_them()
    {
        var empty = ReadFails(DagCodec.TryWrite(new DagBuilder(0).Build("empty"), Values, keepIds: false)!);
        Assert.Contains(empty.Problems, p => p.Code == "EmptyDag" && p.Message == "The DAG has no nodes.");

        var b = new DagBuilder(1);
        var x = b.Constant(7.0);
        b.AddGoal(new DagGoal("kept", GoalKind.Save, x, null));
        b.AddGoal(new DagGoal("shown", GoalKind.Print, x, null));
        var dag = b.Build("save");
        var error = ReadFails(DagCodec.TryWrite(dag, Values, keepIds: false)!);
        Assert.Equal("Save goal 'kept' has no path.", Assert.Single(error.Problems).Message);
        Assert.Equal("InvalidGoal", error.Problems[0].Code);
        // One's own retained form restores as it was written.
        Assert.Equal(2, DagCodec.Restore(DagCodec.TryWrite(dag, Values, keepIds: true)!, Values).Goals.Count);
    }

    [Fact]
    public void Problems_past_the_limit_are_counted_not_listed()
    {
        var b = new DagBuilder();
        var one = b.Constant(1.0);
        for (var i = 0; i < 30; i++) b.AddGoal(new DagGoal($"g{i}", GoalKind.Node, b.Operation($"session.op{i}", 1, [one])));
        var form = DagCodec.TryWrite(b.Build(), Values, keepIds: false)!;

        var e = ReadFails(form, new DagCodecLimits { MaxProblems = 10 });

        Assert.Equal(11, e.Problems.Count);
        Assert.All(e.Problems.Take(10), p => Assert.Equal("UnknownOperation", p.Code));
        Assert.Equal(("TooManyProblems", "… and 20 more problem(s)."), (e.Problems[10].Code, e.Problems[10].Message));
    }

    /// <summary>A form written byte by byte, to say what no DAG would (the layout is <see cref="DagCodec"/>'s remarks).</summary>
    private sealed class Form
    {
        private readonly List<byte> _bytes = [];

        public byte[] Bytes => [.. _bytes];

        public Form Version() => Raw(BitConverter.GetBytes(DagCodec.Version));

        public Form Byte(int value)
        {
            _bytes.Add((byte)value);
            return this;
        }

        public Form Varint(uint value)
        {
            for (; value >= 0x80; value >>= 7) _bytes.Add((byte)(value | 0x80));
            _bytes.Add((byte)value);
            return this;
        }

        public Form Varint(int value) => Varint((uint)value);

        public Form String(string text) => Block(Encoding.UTF8.GetBytes(text));

        public Form Block(byte[] bytes) => Varint(bytes.Length).Raw(bytes);

        private Form Raw(byte[] bytes)
        {
            _bytes.AddRange(bytes);
            return this;
        }
    }
}
