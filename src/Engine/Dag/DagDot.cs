using System.Globalization;
using System.Text;

namespace VoxScheduler.Dag;

/// <summary>Graphviz DOT export of a DAG: edges go from an argument to the node using it; goals are drawn double.</summary>
public static class DagDot
{
    /// <summary>The DAG in DOT; labels show the node's name (or operator) and, for constants, the value.</summary>
    public static string ToDot(DagDefinition dag)
    {
        ArgumentNullException.ThrowIfNull(dag);
        var labels = dag.Labels.GroupBy(kv => kv.Value).ToDictionary(g => g.Key, g => string.Join(", ", g.Select(kv => kv.Key).Order(StringComparer.Ordinal)));
        var goals = dag.Goals.GroupBy(g => g.Node).ToDictionary(g => g.Key, g => string.Join(", ", g.Select(x => x.Name)));
        var sb = new StringBuilder();
        sb.Append("digraph ").Append(Quote(dag.DagId)).Append(" {\n  rankdir=LR;\n  node [shape=box, fontname=\"monospace\"];\n");
        foreach (var node in dag.Nodes)
        {
            var text = node.Kind switch
            {
                NodeKind.Constant => CanonicalJson.SerializeToString(node.Value),
                NodeKind.External => "external " + node.Id.ToShortString(),
                _ => node.Operator,
            };
            if (labels.TryGetValue(node.Index, out var label)) text = label + "\n" + text;
            if (goals.TryGetValue(node.Index, out var goal) && goal != label) text = goal + "\n" + text;
            sb.Append("  n").Append(node.Index.ToString(CultureInfo.InvariantCulture)).Append(" [label=").Append(Quote(text));
            if (node.Kind == NodeKind.Constant) sb.Append(", shape=ellipse");
            if (goals.ContainsKey(node.Index)) sb.Append(", peripheries=2");
            sb.Append("];\n");
        }

        foreach (var node in dag.Nodes)
        {
            foreach (var a in node.Arguments)
            {
                sb.Append("  n").Append(a.ToString(CultureInfo.InvariantCulture)).Append(" -> n").Append(node.Index.ToString(CultureInfo.InvariantCulture)).Append(";\n");
            }
        }

        return sb.Append("}\n").ToString();
    }

    private static string Quote(string text) =>
        "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal) + "\"";
}
