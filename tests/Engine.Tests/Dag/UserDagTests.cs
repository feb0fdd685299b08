using VoxScheduler.Dag;
using VoxScheduler.Operations;
using VoxScheduler.Operations.Builtins;
using VoxScheduler.Scheduling;
using VoxScheduler.Tests.Scheduling;

namespace VoxScheduler.Tests.Dag;

public sealed class UserDagTests
{
    private static readonly OperationRegistry Registry = new TestOps().Registry;

    private static NodeDefinition Op(string name, string op, params string[] args) => new(name, op, args);

    [Fact]
    public void Every_problem_is_reported_at_once_with_the_cycle_path()
    {
        NodeDefinition[] nodes =
        [
            NodeDefinition.Constant("one", 1.0),
            Op("a", "t.add", "c"),
            Op("b", "t.add", "a"),
            Op("c", "t.add", "b"),
            Op("dup", "t.add", "one"),
            Op("dup", "t.add", "one"),
            Op("lost", "t.add", "nowhere"),
            Op("weird", "no.such"),
            Op("arity", "test.fail", "one", "one"),
            new NodeDefinition("novalue", "constant"),
        ];
        var error = Assert.Throws<ValidationException>(() => UserDagCompiler.Compile(nodes, Registry, goals: ["a", "ghost"]));
        var codes = error.Problems.Select(p => p.Code).ToList();
        Assert.Contains("DuplicateNode", codes);
        Assert.Contains("MissingDependency", codes);
        Assert.Contains("UnknownOperation", codes);
        Assert.Contains("WrongArity", codes);
        Assert.Contains("MissingValue", codes);
        Assert.Contains("InvalidGoal", codes);
        var cycle = Assert.Single(error.Problems, p => p.Code == "Cycle");
        Assert.Matches(@"Cycle: (a -> c -> b -> a|b -> a -> c -> b|c -> b -> a -> c)", cycle.Message);
        Assert.Contains("nowhere", error.Message);
    }

    [Fact]
    public void Nodes_may_come_in_any_order_and_goals_default_to_the_nodes_nothing_depends_on()
    {
        NodeDefinition[] nodes =
        [
            Op("sum", "t.add", "x", "y"),
            NodeDefinition.Constant("x", 1.0),
            NodeDefinition.Constant("y", 2.0),
            Op("other", "t.add", "x"),
        ];
        var dag = UserDagCompiler.Compile(nodes, Registry);
        Assert.Equal(["sum", "other"], dag.Goals.Select(g => g.Name));
        Assert.All(dag.Goals, g => Assert.Equal(GoalKind.Node, g.Kind));
        Assert.Equal(4, dag.Labels.Count);
        var sum = dag.Nodes[dag.Labels["sum"]];
        Assert.Equal([dag.Labels["x"], dag.Labels["y"]], sum.Arguments.ToArray());
    }

    [Fact]
    public void Names_are_labels_only_so_differently_named_identical_computations_get_the_same_id()
    {
        var one = UserDagCompiler.Compile([NodeDefinition.Constant("a", 2.0), Op("twice", "t.add", "a", "a")], Registry);
        var two = UserDagCompiler.Compile([NodeDefinition.Constant("two", 2.0), Op("double", "t.add", "two", "two")], Registry);
        Assert.Equal(one.Nodes[one.Labels["twice"]].Id, two.Nodes[two.Labels["double"]].Id);
        var withParameter = UserDagCompiler.Compile(
            [NodeDefinition.Constant("a", 2.0), new NodeDefinition("twice", "t.add", ["a", "a"], new Dictionary<string, object?> { ["c"] = 1.0 })], Registry);
        Assert.NotEqual(one.Nodes[one.Labels["twice"]].Id, withParameter.Nodes[withParameter.Labels["twice"]].Id);
    }

    [Fact]
    public void Json_round_trips_with_the_same_content_ids_and_the_same_text()
    {
        const string json = """
            {
              "dag_id": "demo",
              "nodes": [
                {"node_id": "x", "operation": "constant", "parameters": {"value": 20}},
                {"node_id": "y", "operation": "constant", "parameters": {"value": 22}},
                {"node_id": "big", "operation": "constant", "parameters": {"value": 18446744073709551615}},
                {"node_id": "sum", "operation": "t.add", "arguments": ["x", "y"], "parameters": {"c": 0.5}, "metadata": {"owner": "me"}},
                {"node_id": "inc", "operation": "t.add", "parameters": {}}
              ],
              "dependencies": {"inc": ["sum"]},
              "goals": ["sum", "inc"],
              "metadata": {"source": "test"}
            }
            """;
        var dag = DagJson.Parse(json, Registry);
        Assert.Equal("demo", dag.DagId);
        Assert.Equal(18446744073709551615UL, dag.Nodes[dag.Labels["big"]].Value);
        var exported = DagJson.ToJson(dag);
        var again = DagJson.Parse(exported, Registry);
        Assert.Equal(dag.Nodes.Select(n => n.Id), again.Nodes.Select(n => n.Id));
        Assert.Equal(dag.Goals.Select(g => g.Name), again.Goals.Select(g => g.Name));
        Assert.Equal(exported, DagJson.ToJson(again));
        Assert.Contains("\"owner\":\"me\"", DagJson.ToJson(again, indented: false));
        Assert.Contains("\"source\":\"test\"", DagJson.ToJson(again, indented: false));
    }

    [Fact]
    public void Malformed_json_reports_line_and_column()
    {
        var error = Assert.Throws<ValidationException>(() => DagJson.Parse("{\n  \"nodes\": [\n    {\"node_id\": }\n  ]\n}", Registry));
        var problem = Assert.Single(error.Problems);
        Assert.Equal("InvalidJson", problem.Code);
        Assert.Equal(3, problem.Line);
        Assert.True(problem.Column > 0);
    }

    [Fact]
    public void A_built_dag_exports_nodes_without_labels_under_their_content_ids()
    {
        var b = new DagBuilder();
        var sum = b.Operation("t.add", 1, [b.Constant(1.0), b.Constant(2.0)]);
        b.AddGoal(new DagGoal("result", GoalKind.Print, sum));
        var dag = b.Build();
        var json = DagJson.ToJson(dag);
        var again = DagJson.Parse(json, Registry);
        Assert.Equal(dag.Nodes[sum].Id, again.Nodes[again.Goals[0].Node].Id);
        Assert.Equal(dag.Nodes.Select(n => n.Id), again.Nodes.Select(n => n.Id));
        Assert.Contains($"\"id\": \"{dag.Nodes[sum].Id}\"", json);
        var goal = Assert.Single(again.Goals);
        Assert.Equal(new DagGoal("result", GoalKind.Print, again.Goals[0].Node), goal);
        Assert.Equal(json, DagJson.ToJson(again));
    }

    [Fact]
    public void Goal_objects_keep_their_name_kind_and_path_and_are_checked_with_every_other_problem()
    {
        var dag = DagJson.Parse("""
            {"nodes": [{"node_id": "x", "value": 2}, {"node_id": "sq", "operation": "t.add", "arguments": ["x", "x"]}],
             "goals": ["sq", {"name": "shown", "node": "x", "kind": "print"}, {"name": "file", "node": "sq", "kind": "save", "path": "out.json"}]}
            """, Registry);
        Assert.Equal(
            [new DagGoal("sq", GoalKind.Node, dag.Labels["sq"]), new DagGoal("shown", GoalKind.Print, dag.Labels["x"]), new DagGoal("file", GoalKind.Save, dag.Labels["sq"], "out.json")],
            dag.Goals);
        var again = DagJson.Parse(DagJson.ToJson(dag), Registry);
        Assert.Equal(dag.Goals, again.Goals);
        foreach (var kind in new[] { "1", "print, save", "" })
        {
            var bad = Assert.Throws<ValidationException>(() => DagJson.Parse(
                "{\"nodes\": [{\"node_id\": \"x\", \"value\": 2}], \"goals\": [{\"node\": \"x\", \"kind\": \"" + kind + "\"}]}", Registry));
            Assert.Equal("InvalidGoal", Assert.Single(bad.Problems).Code);
        }

        var error = Assert.Throws<ValidationException>(() => UserDagCompiler.Compile(
            [NodeDefinition.Constant("x", 1.0), Op("y", "t.add", "nowhere")], Registry,
            [new GoalDefinition("g", "ghost"), new GoalDefinition("s", "x", GoalKind.Save)]));
        Assert.Equal(["InvalidGoal", "InvalidGoal", "MissingDependency"], error.Problems.Select(p => p.Code).Order(StringComparer.Ordinal));
        Assert.Contains(error.Problems, p => p.Message.Contains("'g' names node 'ghost'", StringComparison.Ordinal));
    }

    [Fact]
    public void A_value_without_an_operation_is_a_constant_with_the_same_id_as_the_spelled_out_form()
    {
        var shorthand = DagJson.Parse("""{"nodes": [{"node_id": "a", "value": 2}, {"node_id": "s", "operation": "t.add", "arguments": ["a", "a"]}]}""", Registry);
        var spelled = DagJson.Parse("""{"nodes": [{"node_id": "a", "operation": "constant", "parameters": {"value": 2}}, {"node_id": "s", "operation": "t.add", "arguments": ["a", "a"]}]}""", Registry);
        Assert.Equal(spelled.Nodes.Select(n => n.Id), shorthand.Nodes.Select(n => n.Id));
        Assert.Equal(2.0, shorthand.Nodes[shorthand.Labels["a"]].Value);
    }

    [Fact]
    public void Unqualified_operations_mean_the_default_namespace()
    {
        var registry = new OperationRegistry();
        DefaultNamespace.Register(registry);
        var qualified = UserDagCompiler.Compile([NodeDefinition.Constant("x", 3.0), Op("m", "default.mul", "x", "x")], registry);
        var bare = UserDagCompiler.Compile([NodeDefinition.Constant("x", 3.0), Op("m", "mul", "x", "x")], registry);
        Assert.Equal(qualified.Nodes.Select(n => n.Id), bare.Nodes.Select(n => n.Id));
        Assert.Equal("default.mul", bare.Nodes[bare.Labels["m"]].Operator);
        var error = Assert.Throws<ValidationException>(() => UserDagCompiler.Compile([Op("q", "add.nosuch")], registry));
        Assert.Equal("UnknownOperation", Assert.Single(error.Problems).Code);
    }

    [Fact]
    public void An_empty_dag_is_rejected()
    {
        var error = Assert.Throws<ValidationException>(() => DagJson.Parse("""{"nodes": []}""", Registry));
        Assert.Equal("EmptyDag", Assert.Single(error.Problems).Code);
    }

    [Fact]
    public void External_nodes_in_json_refer_to_stored_results_by_id()
    {
        var id = DagBuilder.ComputeConstantId(5.0);
        var json = """{"nodes": [{"node_id": "stored", "operation": "external", "parameters": {"id": "ID"}}, {"node_id": "inc", "operation": "t.add", "arguments": ["stored"]}]}"""
            .Replace("ID", id.ToString(), StringComparison.Ordinal);
        var dag = DagJson.Parse(json, Registry);
        var stored = dag.Nodes[dag.Labels["stored"]];
        Assert.Equal(NodeKind.External, stored.Kind);
        Assert.Equal(id, stored.Id);
        Assert.Equal(["inc"], dag.Goals.Select(g => g.Name));
    }

    [Fact]
    public void Dot_export_lists_every_node_and_edge_and_marks_goals()
    {
        var dag = UserDagCompiler.Compile([NodeDefinition.Constant("x", 1.0), Op("say \"hi\"", "t.add", "x", "x")], Registry);
        var dot = DagDot.ToDot(dag);
        Assert.StartsWith("digraph ", dot);
        Assert.Contains("n0 -> n1;", dot);
        Assert.Equal(2, dot.Split("n0 -> n1;").Length - 1);
        Assert.Contains("peripheries=2", dot);
        Assert.Contains("say \\\"hi\\\"", dot);
    }

    [Fact]
    public async Task A_user_dag_runs_and_its_goals_are_reported_by_name()
    {
        var ops = new TestOps();
        await using var scheduler = ops.Scheduler();
        var dag = DagJson.Parse("""
            {"nodes": [
              {"node_id": "a", "operation": "constant", "parameters": {"value": 1}},
              {"node_id": "b", "operation": "t.add", "arguments": ["a", "a"]},
              {"node_id": "c", "operation": "t.add", "arguments": ["b"], "parameters": {"c": 10}}
            ]}
            """, ops.Registry);
        var execution = await TestOps.RunAsync(scheduler, dag);
        var goal = Assert.Single(execution.GetGoalResults());
        Assert.Equal("c", goal.Name);
        Assert.Equal(12.0, goal.Value);
    }
}
