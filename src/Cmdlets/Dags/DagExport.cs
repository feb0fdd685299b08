using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Json;
using VoxScheduler.Cmdlets.Output;
using VoxScheduler.Dag;

namespace VoxScheduler.Cmdlets.Dags;

/// <summary>Writes DAGs as JSON (readable back by <see cref="UserDagConverter"/>) and as Graphviz DOT.</summary>
internal static class DagExport
{
    /// <summary>
    /// JSON in the specification's DAGDefinition shape: <c>dag_id</c>, <c>nodes</c> (node_id,
    /// content id, operation, revision, arguments, parameters or value), <c>goals</c>. Labelled
    /// nodes are referred to by label, the others by content id.
    /// </summary>
    public static string ToJson(DagDefinition dag)
    {
        var names = NodeNames(dag);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("dag_id", dag.DagId);
            w.WriteStartArray("nodes");
            foreach (var node in dag.Nodes)
            {
                w.WriteStartObject();
                w.WriteString("node_id", names[node.Index]);
                w.WriteString("id", node.Id.ToString());
                w.WriteString("operation", node.Operator);
                if (node.Kind == NodeKind.Constant)
                {
                    w.WritePropertyName("value");
                    WriteValue(w, node.Value);
                }
                else
                {
                    w.WriteNumber("revision", node.Revision);
                    w.WriteStartArray("arguments");
                    foreach (var a in node.Arguments) w.WriteStringValue(names[a]);
                    w.WriteEndArray();
                    if (node.Attributes is { Count: > 0 })
                    {
                        w.WritePropertyName("parameters");
                        WriteValue(w, node.Attributes);
                    }
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("goals");
            foreach (var goal in dag.Goals)
            {
                w.WriteStartObject();
                w.WriteString("name", goal.Name);
                w.WriteString("kind", goal.Kind.ToString().ToLowerInvariant());
                w.WriteString("node", names[goal.Node]);
                if (goal.Path is not null) w.WriteString("path", goal.Path);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            if (dag.Metadata is { Count: > 0 })
            {
                w.WritePropertyName("metadata");
                WriteValue(w, dag.Metadata);
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Graphviz DOT: one box per node (operator or constant value), goals highlighted, edges from argument to user.</summary>
    public static string ToDot(DagDefinition dag)
    {
        var names = NodeNames(dag);
        var goalNames = dag.Goals.GroupBy(g => g.Node).ToDictionary(g => g.Key, g => string.Join(", ", g.Select(x => x.Name)));
        var sb = new StringBuilder();
        sb.Append("digraph \"").Append(Escape(dag.DagId)).AppendLine("\" {");
        sb.AppendLine("  rankdir=LR;");
        sb.AppendLine("  node [shape=box, fontname=\"Helvetica\"];");
        foreach (var node in dag.Nodes)
        {
            var label = node.Kind switch
            {
                NodeKind.Constant => ValueText.Format(node.Value),
                NodeKind.External => "external " + node.Id.ToShortString(),
                _ => node.Operator,
            };
            if (names[node.Index].Length != NodeId.HexLength) label = names[node.Index] + "\\n" + Escape(label);
            else label = Escape(label);
            sb.Append(CultureInfo.InvariantCulture, $"  n{node.Index} [label=\"{label}\"");
            if (node.Kind == NodeKind.Constant) sb.Append(", shape=ellipse");
            if (goalNames.TryGetValue(node.Index, out var goal))
            {
                sb.Append(", style=bold, xlabel=\"").Append(Escape(goal)).Append('"');
            }

            sb.AppendLine("];");
        }

        foreach (var node in dag.Nodes)
        {
            foreach (var a in node.Arguments)
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"  n{a} -> n{node.Index};");
            }
        }

        sb.AppendLine("}");
        return sb.ToString();
    }

    private static string[] NodeNames(DagDefinition dag)
    {
        var names = dag.Nodes.Select(n => n.Id.ToString()).ToArray();
        foreach (var (label, node) in dag.Labels.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            if (names[node].Length == NodeId.HexLength) names[node] = label;
        }

        return names;
    }

    private static string Escape(string text) => text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);

    private static void WriteValue(Utf8JsonWriter w, object? value)
    {
        switch (value)
        {
            case null: w.WriteNullValue(); break;
            case double d when double.IsFinite(d): w.WriteNumberValue(d); break;
            case double d: w.WriteStringValue(d.ToString(CultureInfo.InvariantCulture)); break;
            case long l: w.WriteNumberValue(l); break;
            case ulong u: w.WriteNumberValue(u); break;
            case bool b: w.WriteBooleanValue(b); break;
            case string s: w.WriteStringValue(s); break;
            case byte[] bytes: w.WriteBase64StringValue(bytes); break;
            case IEnumerable<KeyValuePair<string, object?>> record:
                w.WriteStartObject();
                foreach (var kv in record)
                {
                    w.WritePropertyName(kv.Key);
                    WriteValue(w, kv.Value);
                }

                w.WriteEndObject();
                break;
            case IEnumerable seq:
                w.WriteStartArray();
                foreach (var item in seq) WriteValue(w, item);
                w.WriteEndArray();
                break;
            default: w.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture)); break;
        }
    }
}
