using VoxScheduler.Dag;

namespace VoxScheduler.Tests.Dag;

public sealed class DagBuilderTests
{
    // docs/language.md §5 test vectors, computed independently of this code.
    [Theory]
    [InlineData(1.0, "baf06e38c494e317b81897214c9f5faba45dc3edab71cf5ca390b9126c4aacc7")]
    [InlineData(2.0, "a9bf65e9ca53f89ecc5a159739a7ecc47e3b0a5347630d274436724484b55581")]
    [InlineData(true, "dbad17705ef316652b34619196d128a2505d4cfd49bfa5798bdcca7200edbd41")]
    [InlineData("foo", "d93d9257fc453ea55e09b764dfcbce7ede2f8cfe066a226bc9360b9a23a99f70")]
    public void Constant_ids_match_the_language_test_vectors(object value, string expected) =>
        Assert.Equal(expected, DagBuilder.ComputeConstantId(value).ToString());

    [Fact]
    public void Operation_ids_match_the_language_test_vectors()
    {
        var b = new DagBuilder();
        var one = b.Constant(1.0);
        var two = b.Constant(2.0);
        var sum = b.Operation("default.add", 1, [one, two]);
        var product = b.Operation("default.mul", 1, [sum, two]);
        Assert.Equal("fcfffedf9904c5f01abd5db5ade87f2cdf6239a5b2bee5b3358870c10cac92c1", b[sum].Id.ToString());
        Assert.Equal("658ba83212188a1ce699b677c4d726fbdf5be556707f6a143a6d28b50d20164d", b[product].Id.ToString());
    }

    [Fact]
    public void Identical_nodes_are_merged()
    {
        var b = new DagBuilder();
        var x = b.Constant(1.0);
        var y = b.Constant(1.0);
        var s1 = b.Operation("default.add", 1, [x, y]);
        var s2 = b.Operation("default.add", 1, [y, x]);
        Assert.Equal(x, y);
        Assert.Equal(s1, s2);
        Assert.Equal(2, b.Count);
    }

    [Fact]
    public void Types_revisions_argument_order_and_attributes_all_change_the_id()
    {
        var b = new DagBuilder();
        var one = b.Constant(1.0);
        var oneText = b.Constant("1");
        var two = b.Constant(2.0);
        Assert.NotEqual(b[one].Id, b[oneText].Id);
        var ids = new[]
        {
            b[b.Operation("default.sub", 1, [one, two])].Id,
            b[b.Operation("default.sub", 1, [two, one])].Id,
            b[b.Operation("default.sub", 2, [one, two])].Id,
            b[b.Operation("default.sub", 1, [one, two], new Dictionary<string, object?> { ["k"] = 1.0 })].Id,
            b[b.Operation("default.sub", 1, [one, two], new Dictionary<string, object?> { ["k"] = 2.0 })].Id,
        };
        Assert.Equal(ids.Length, ids.Distinct().Count());
    }

    [Fact]
    public void Empty_attributes_are_the_same_as_none()
    {
        var b = new DagBuilder();
        var one = b.Constant(1.0);
        var plain = b.Operation("default.neg", 1, [one]);
        var empty = b.Operation("default.neg", 1, [one], new Dictionary<string, object?>());
        Assert.Equal(plain, empty);
    }

    [Fact]
    public void Arguments_must_already_exist()
    {
        var b = new DagBuilder();
        var one = b.Constant(1.0);
        Assert.Throws<ArgumentOutOfRangeException>(() => b.Operation("default.add", 1, [one, 5]));
    }

    [Fact]
    public void Labels_are_unique_per_node_and_goals_must_point_at_nodes()
    {
        var b = new DagBuilder();
        var one = b.Constant(1.0);
        var two = b.Constant(2.0);
        Assert.True(b.TryLabel("a", one));
        Assert.True(b.TryLabel("a", one));
        Assert.False(b.TryLabel("a", two));
        Assert.Throws<ArgumentOutOfRangeException>(() => b.AddGoal(new DagGoal("g", GoalKind.Print, 7)));
        b.AddGoal(new DagGoal("g", GoalKind.Print, two));
        var dag = b.Build();
        Assert.Equal(one, dag.Labels["a"]);
        Assert.Single(dag.Goals);
    }

    [Fact]
    public void The_derived_dag_id_depends_on_what_is_computed()
    {
        static string Build(double goal)
        {
            var b = new DagBuilder();
            b.AddGoal(new DagGoal("x", GoalKind.Print, b.Constant(goal)));
            return b.Build().DagId;
        }

        Assert.Equal(Build(1), Build(1));
        Assert.NotEqual(Build(1), Build(2));
    }

    [Fact]
    public void External_references_keep_the_referenced_id()
    {
        var id = DagBuilder.ComputeConstantId(42.0);
        var b = new DagBuilder();
        var ext = b.External(id);
        Assert.Equal(id, b[ext].Id);
        Assert.Equal(NodeKind.External, b[ext].Kind);
        Assert.Equal(ext, b.External(id));
    }
}
