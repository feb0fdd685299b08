using VoxScheduler.Cluster.Grains;
using VoxScheduler.Dag;
using VoxScheduler.Operations.Builtins;

namespace VoxScheduler.Tests.Cluster;

/// <summary>The compact form a submitted DAG travels in: the silo rebuilds the same DAG (ids, goals, labels, metadata) and refuses what the JSON path refuses.</summary>
public sealed class DagWireTests
{
    private static int Revision(string name) => BuiltinOperations.CreateRegistry().TryGet(name, out var op) ? op.Revision : 0;

    private static DagDefinition Sample()
    {
        var b = new DagBuilder();
        var x = b.Constant(41.0);
        var text = b.Constant("a text");
        var ms = b.Constant(0.0);
        var sleep = b.Operation("test.sleep", Revision("test.sleep"), [x, ms]);
        var add = b.Operation("default.add", Revision("default.add"), [sleep, b.Constant(1.0)], new Dictionary<string, object?> { ["c"] = 7UL, ["name"] = "n" });
        b.TryLabel("answer", add);
        b.AddGoal(new DagGoal("answer", GoalKind.Print, add));
        b.AddGoal(new DagGoal("saved", GoalKind.Save, text, "out/a.txt"));
        return b.Build("sample-dag", new Dictionary<string, object?> { ["origin"] = "tests", ["n"] = 3L });
    }

    [Fact]
    public void The_silo_rebuilds_the_same_DAG_as_from_its_JSON_form()
    {
        var registry = BuiltinOperations.CreateRegistry();
        var dag = Sample();
        var bytes = DagWire.TryWrite(dag);
        Assert.NotNull(bytes);

        var back = DagWire.Read(bytes, registry);
        var viaJson = DagJson.Parse(DagJson.ToJson(dag), registry);

        Assert.Equal(dag.DagId, back.DagId);
        Assert.Equal(dag.Nodes.Select(n => n.Id), back.Nodes.Select(n => n.Id));
        Assert.Equal(viaJson.Nodes.Select(n => n.Id).Order(), back.Nodes.Select(n => n.Id).Order());
        Assert.Equal(dag.Goals, back.Goals);
        Assert.Equal(dag.Labels, back.Labels);
        Assert.Equal("tests", back.Metadata!["origin"]);
        Assert.True(bytes.Length < DagJson.ToJson(dag, indented: false).Length / 2, $"{bytes.Length} bytes");
    }

    [Fact]
    public void Unknown_operators_and_wrong_arities_are_all_listed()
    {
        var b = new DagBuilder();
        var one = b.Constant(1.0);
        b.AddGoal(new DagGoal("a", GoalKind.Node, b.Operation("session.myScriptBlock", 1, [one])));
        b.AddGoal(new DagGoal("b", GoalKind.Node, b.Operation("test.sleep", 1, [one])));

        var e = Assert.Throws<ValidationException>(() => DagWire.Read(DagWire.TryWrite(b.Build())!, BuiltinOperations.CreateRegistry()));

        Assert.Contains(e.Problems, p => p.Code == "UnknownOperation" && p.Message.Contains("session.myScriptBlock"));
        Assert.Contains(e.Problems, p => p.Code == "WrongArity" && p.Message.Contains("test.sleep"));
    }

    [Fact]
    public void A_malformed_form_is_refused_with_a_clear_error()
    {
        var bytes = DagWire.TryWrite(Sample())!;
        foreach (var broken in new[] { bytes[..(bytes.Length / 2)], [.. bytes, 0], [9, 9, 9, 9], [] })
        {
            var e = Assert.Throws<ValidationException>(() => DagWire.Read(broken, BuiltinOperations.CreateRegistry()));
            Assert.Contains("malformed", e.Message);
        }
    }

    [Fact]
    public void A_DAG_with_external_nodes_goes_as_JSON() =>
        Assert.Null(DagWire.TryWrite(new DagDefinitionBuilderWithExternal().Build()));

    private sealed class DagDefinitionBuilderWithExternal
    {
        public DagDefinition Build()
        {
            var b = new DagBuilder();
            var outside = b.External(DagBuilder.ComputeConstantId(5.0));
            b.AddGoal(new DagGoal("x", GoalKind.Node, b.Operation("default.add", 1, [outside, b.Constant(1.0)])));
            return b.Build();
        }
    }
}
