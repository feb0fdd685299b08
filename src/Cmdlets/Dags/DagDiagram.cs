using System.Globalization;
using System.Text;
using VoxScheduler.Dag;
using VoxScheduler.Execution;
using VoxScheduler.Scheduling;

namespace VoxScheduler.Cmdlets.Dags;

/// <summary>
/// Draws a DAG, optionally with the state of each node in an execution, as Mermaid or DOT text.
/// Node ids in the text are <c>n&lt;index&gt;</c>; every label is escaped for its language, so
/// any operator, constant or name (quotes, brackets, '#', newlines, markup) renders as written.
/// </summary>
internal static class DagDiagram
{
    // Long constants (a 10 MB string) must not flood a diagram meant to be read.
    private const int MaxValueText = 40;

    // State name → Mermaid class / DOT fill colour. Colours are light so labels stay legible.
    private static readonly (string State, string Fill)[] Styles =
    [
        ("Pending", "#eeeeee"), ("Ready", "#fff3bf"), ("Running", "#a5d8ff"), ("Completed", "#b2f2bb"),
        ("Cached", "#d3f9d8"), ("Failed", "#ffc9c9"), ("Skipped", "#ffe8cc"), ("Cancelled", "#e9ecef"), ("NotNeeded", "#f8f9fa"),
    ];

    /// <summary>The state shown for a node whose execution does not need it.</summary>
    public const string NotNeeded = "NotNeeded";

    /// <summary>The diagram text. <paramref name="statuses"/> (by node index) adds each node's state; null draws the bare DAG.</summary>
    public static string Render(DagDefinition dag, DagDiagramFormat format, IReadOnlyList<NodeStatus?>? statuses, string? title)
    {
        var labels = NodeLabels(dag, statuses);
        return format == DagDiagramFormat.Mermaid ? Mermaid(dag, labels, statuses, title) : Dot(dag, labels, statuses, title);
    }

    /// <summary>The state name drawn for a node.</summary>
    public static string StateName(NodeStatus? status) => status?.ToString() ?? NotNeeded;

    private static string[] NodeLabels(DagDefinition dag, IReadOnlyList<NodeStatus?>? statuses)
    {
        var names = dag.Labels.GroupBy(kv => kv.Value).ToDictionary(g => g.Key, g => string.Join(", ", g.Select(kv => kv.Key).Order(StringComparer.Ordinal)));
        var goals = dag.Goals.GroupBy(g => g.Node).ToDictionary(g => g.Key, g => string.Join(", ", g.Select(x => x.Name)));
        var result = new string[dag.Nodes.Count];
        foreach (var node in dag.Nodes)
        {
            var lines = new List<string>(4);
            if (goals.TryGetValue(node.Index, out var goal)) lines.Add(goal);
            if (names.TryGetValue(node.Index, out var name) && name != goal) lines.Add(name);
            lines.Add(node.Kind switch
            {
                NodeKind.Constant => Shorten(CanonicalJson.SerializeToString(node.Value)),
                NodeKind.External => "external " + node.Id.ToShortString(),
                _ => node.Operator,
            });
            if (statuses is not null) lines.Add(StateName(node.Index < statuses.Count ? statuses[node.Index] : null));
            result[node.Index] = string.Join('\n', lines);
        }

        return result;
    }

    private static string Shorten(string text) => text.Length <= MaxValueText ? text : string.Concat(text.AsSpan(0, MaxValueText - 1), "…");

    private static string Mermaid(DagDefinition dag, string[] labels, IReadOnlyList<NodeStatus?>? statuses, string? title)
    {
        var sb = new StringBuilder();
        if (title is not null)
        {
            // Front matter: the title is YAML, so quote it as a YAML double-quoted scalar.
            sb.Append("---\ntitle: \"").Append(title.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
                .Replace("\n", " ", StringComparison.Ordinal).Replace("\r", string.Empty, StringComparison.Ordinal)).Append("\"\n---\n");
        }

        sb.Append("flowchart LR\n");
        var goalNodes = dag.Goals.Select(g => g.Node).ToHashSet();
        foreach (var node in dag.Nodes)
        {
            // Shapes: constants are stadiums, goals double circles would be too big, so goals are subroutines.
            var (open, close) = node.Kind == NodeKind.Constant ? ("([", "])") : goalNodes.Contains(node.Index) ? ("[[", "]]") : ("[", "]");
            sb.Append("  n").Append(Index(node.Index)).Append(open).Append('"').Append(MermaidEscape(labels[node.Index])).Append('"').Append(close).Append('\n');
        }

        foreach (var node in dag.Nodes)
        {
            foreach (var a in node.Arguments)
            {
                sb.Append("  n").Append(Index(a)).Append(" --> n").Append(Index(node.Index)).Append('\n');
            }
        }

        if (statuses is not null)
        {
            foreach (var (state, fill) in Styles)
            {
                var members = dag.Nodes.Where(n => StateName(n.Index < statuses.Count ? statuses[n.Index] : null) == state).Select(n => "n" + Index(n.Index)).ToList();
                if (members.Count == 0) continue;
                sb.Append("  classDef ").Append(state).Append(" fill:").Append(fill).Append(",stroke:#555\n");
                sb.Append("  class ").Append(string.Join(',', members)).Append(' ').Append(state).Append('\n');
            }
        }

        return sb.ToString();
    }

    private static string Dot(DagDefinition dag, string[] labels, IReadOnlyList<NodeStatus?>? statuses, string? title)
    {
        var sb = new StringBuilder();
        sb.Append("digraph ").Append(DotQuote(dag.DagId)).Append(" {\n  rankdir=LR;\n  node [shape=box, fontname=\"monospace\"];\n");
        if (title is not null) sb.Append("  label=").Append(DotQuote(title)).Append(";\n  labelloc=t;\n");
        var goalNodes = dag.Goals.Select(g => g.Node).ToHashSet();
        var fills = Styles.ToDictionary(s => s.State, s => s.Fill, StringComparer.Ordinal);
        foreach (var node in dag.Nodes)
        {
            sb.Append("  n").Append(Index(node.Index)).Append(" [label=").Append(DotQuote(labels[node.Index]));
            if (node.Kind == NodeKind.Constant) sb.Append(", shape=ellipse");
            if (goalNodes.Contains(node.Index)) sb.Append(", peripheries=2");
            if (statuses is not null)
            {
                var state = StateName(node.Index < statuses.Count ? statuses[node.Index] : null);
                sb.Append(", style=filled, fillcolor=").Append(DotQuote(fills[state]));
            }

            sb.Append("];\n");
        }

        foreach (var node in dag.Nodes)
        {
            foreach (var a in node.Arguments)
            {
                sb.Append("  n").Append(Index(a)).Append(" -> n").Append(Index(node.Index)).Append(";\n");
            }
        }

        return sb.Append("}\n").ToString();
    }

    private static string Index(int index) => index.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Escapes a label for a quoted Mermaid node text: Mermaid decodes <c>#name;</c> and
    /// <c>#code;</c> entities there, so '#' itself, quotes and markup characters become entities
    /// ('#' first, so the entities added next are not escaped again); a line break is <c>&lt;br&gt;</c>.
    /// </summary>
    internal static string MermaidEscape(string text)
    {
        var sb = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            switch (c)
            {
                case '#': sb.Append("#35;"); break;
                case '"': sb.Append("#quot;"); break;
                case '<': sb.Append("#lt;"); break;
                case '>': sb.Append("#gt;"); break;
                case '&': sb.Append("#amp;"); break;
                case '`': sb.Append("#96;"); break;
                case '\n': sb.Append("<br>"); break;
                case '\r': break;
                default: sb.Append(c); break;
            }
        }

        return sb.ToString();
    }

    /// <summary>A DOT double-quoted string: backslash and quote escaped, line breaks as <c>\n</c>.</summary>
    internal static string DotQuote(string text) =>
        "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
            .Replace("\r", string.Empty, StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal) + "\"";
}
