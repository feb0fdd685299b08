using VoxScheduler.Dag;
using VoxScheduler.Language;
using VoxScheduler.Operations.Builtins;
using VoxScheduler.Scheduling;

namespace VoxScheduler.Tests.Scheduling;

/// <summary>The compact DAG a finished execution keeps (issue 14, item 2) rebuilds the same DAG.</summary>
public sealed class RetainedDagTests
{
    [Fact]
    public void A_dag_with_run_time_loops_labels_and_every_kind_of_constant_rebuilds_node_for_node()
    {
        var registry = BuiltinOperations.CreateRegistry();
        // A run-time loop (its node carries the body as attributes), text, numbers, sequences, a record.
        var program = """
            n = length([1, 2, 3])
            xs = for i in range(0, n * 2) do i * 1.5
            print "xs" xs
            print "text" "héllo" + " ✓"
            print "negative" -0.0 + 2
            print "list" length([1, "two", true])
            """;
        var dag = ProgramCompiler.Compile(program, registry).Dag;
        var b = new DagBuilder();
        var external = b.External(dag.Nodes[^1].Id);
        var big = b.Constant(ulong.MaxValue);
        b.AddGoal(new DagGoal("big", GoalKind.Print, b.Operation("default.add", 1, [big, external], new Dictionary<string, object?> { ["k"] = new object?[] { 1.0, "x" } })));
        b.TryLabel("ext", external);
        var small = b.Build("given-id", new Dictionary<string, object?> { ["creator"] = "test" });

        foreach (var original in new[] { dag, small })
        {
            var retained = RetainedDag.Encode(original);
            var rebuilt = retained.Dag;
            Assert.Equal(original.DagId, rebuilt.DagId);
            Assert.Equal(original.Nodes.Select(n => (n.Id, n.Kind, n.Operator, n.Revision, string.Join(",", n.Arguments))),
                rebuilt.Nodes.Select(n => (n.Id, n.Kind, n.Operator, n.Revision, string.Join(",", n.Arguments))));
            Assert.Equal(original.Goals, rebuilt.Goals);
            Assert.Equal(original.Labels.OrderBy(l => l.Key), rebuilt.Labels.OrderBy(l => l.Key));
            Assert.Equal(original.Metadata?.Count, rebuilt.Metadata?.Count);
            Assert.True(retained.Bytes < original.Nodes.Count * 60L + 200, $"{retained.Bytes} bytes for {original.Nodes.Count} nodes");
        }
    }
}
