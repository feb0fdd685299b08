using System.Globalization;
using System.Text;
using System.Text.Json;

namespace VoxScheduler.Dag;

/// <summary>
/// JSON import and export of DAGs in the shape of the specification's DAGDefinition:
/// <code>
/// {"dag_id": "...",
///  "nodes": [{"node_id": "x", "operation": "default.add", "arguments": ["a", "b"], "parameters": {...}, "metadata": {...}}],
///  "dependencies": {"x": ["a", "b"]},
///  "goals": ["x"],
///  "metadata": {...}}
/// </code>
/// Conventions: a constant is <c>"operation": "constant"</c> with <c>"parameters": {"value": V}</c>
/// (shorthand: <c>{"node_id": "x", "value": V}</c>, without an operation);
/// a reference to a stored result is <c>"operation": "external"</c> with <c>"parameters": {"id": "&lt;64 hex&gt;"}</c>;
/// <c>arguments</c> may be omitted when <c>dependencies</c> lists them; <c>goals</c> is optional
/// (default: every node nothing depends on); a goal is a node name, or an object
/// <c>{"name": "...", "node": "x", "kind": "node|print|save", "path": "..."}</c> for a goal named
/// apart from its node or a program's print and save goals. JSON numbers become doubles, except
/// integers beyond 2^53 that fit a 64-bit integer, which stay exact (long/ulong). On export, a
/// node's name is its label, or its content id when it has none, and each node carries its content
/// id as <c>id</c> (ignored on import: ids are always recomputed); goals are exported by node name,
/// or as objects when that would lose their name, kind or path.
/// </summary>
public static class DagJson
{
    private const string External = DagBuilder.ExternalOperator;

    /// <summary>Parses and compiles a DAG (every problem at once).</summary>
    /// <exception cref="ValidationException">Malformed JSON (with line and column) or an invalid DAG.</exception>
    public static DagDefinition Parse(string json, IOperatorResolver operations)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, MaxDepth = 256 });
            return FromElement(document.RootElement, operations);
        }
        catch (JsonException e)
        {
            var line = (int)(e.LineNumber ?? -1) + 1;
            var column = (int)(e.BytePositionInLine ?? -1) + 1;
            throw new ValidationException([new ValidationProblem("InvalidJson", $"{line}:{column}: {e.Message}", Line: line, Column: column)]);
        }
    }

    /// <summary>Compiles a DAG from an already parsed JSON object.</summary>
    /// <exception cref="ValidationException">The object is not a DAG definition, or the DAG is invalid.</exception>
    public static DagDefinition FromElement(JsonElement root, IOperatorResolver operations)
    {
        if (root.ValueKind != JsonValueKind.Object) throw Invalid("A DAG definition is a JSON object.");
        if (!root.TryGetProperty("nodes", out var nodesElement) || nodesElement.ValueKind != JsonValueKind.Array)
            throw Invalid("A DAG definition needs a \"nodes\" array.");

        var problems = new List<ValidationProblem>();
        var nodes = new List<NodeDefinition>();
        var externals = new Dictionary<string, NodeId>(StringComparer.Ordinal);
        var position = 0;
        foreach (var n in nodesElement.EnumerateArray())
        {
            position++;
            if (n.ValueKind != JsonValueKind.Object)
            {
                problems.Add(new("InvalidNode", $"Node {position} is not a JSON object."));
                continue;
            }

            var name = String(n, "node_id") ?? String(n, "name");
            var operation = String(n, "operation") ?? string.Empty;
            var arguments = n.TryGetProperty("arguments", out var a) && a.ValueKind == JsonValueKind.Array
                ? a.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? x.GetString()! : x.GetRawText()).ToList()
                : null;
            var parameters = n.TryGetProperty("parameters", out var p) && p.ValueKind == JsonValueKind.Object ? (IReadOnlyDictionary<string, object?>)ToValue(p)! : null;
            if (parameters is null && n.TryGetProperty(NodeDefinition.ValueParameter, out var value) && (operation.Length == 0 || operation == NodeDefinition.ConstantOperation))
            {
                operation = NodeDefinition.ConstantOperation;
                parameters = new Dictionary<string, object?>(StringComparer.Ordinal) { [NodeDefinition.ValueParameter] = ToValue(value) };
            }

            var metadata = n.TryGetProperty("metadata", out var m) && m.ValueKind == JsonValueKind.Object ? (IReadOnlyDictionary<string, object?>)ToValue(m)! : null;
            if (operation == External)
            {
                if (name is null || parameters is null || !parameters.TryGetValue("id", out var id) || !NodeId.TryParse(id as string, out var nodeId))
                    problems.Add(new("InvalidNode", $"External node {name ?? position.ToString(CultureInfo.InvariantCulture)} needs parameters.id, a 64-hex node id.", Node: name));
                else
                    externals[name] = nodeId;
            }

            nodes.Add(new NodeDefinition(name ?? string.Empty, operation, arguments, parameters, metadata));
        }

        Dictionary<string, IReadOnlyList<string>>? dependencies = null;
        if (root.TryGetProperty("dependencies", out var d) && d.ValueKind == JsonValueKind.Object)
        {
            dependencies = new(StringComparer.Ordinal);
            foreach (var prop in d.EnumerateObject())
            {
                dependencies[prop.Name] = prop.Value.ValueKind == JsonValueKind.Array
                    ? prop.Value.EnumerateArray().Select(x => x.GetString() ?? string.Empty).ToList()
                    : [];
            }
        }

        List<GoalDefinition>? goals = null;
        if (root.TryGetProperty("goals", out var g) && g.ValueKind == JsonValueKind.Array)
        {
            goals = [];
            foreach (var x in g.EnumerateArray())
            {
                if (x.ValueKind == JsonValueKind.String)
                {
                    goals.Add(GoalDefinition.ForNode(x.GetString()!));
                    continue;
                }

                var node = x.ValueKind == JsonValueKind.Object ? String(x, "node") ?? String(x, "node_id") : null;
                var kindText = x.ValueKind == JsonValueKind.Object ? String(x, "kind") : null;
                var kind = GoalKind.Node;
                if (node is null || (kindText is not null && !TryParseKind(kindText, out kind)))
                {
                    problems.Add(new("InvalidGoal", $"Goal {x.GetRawText()} is neither a node name nor an object with \"node\" (and a kind node, print or save)."));
                    continue;
                }

                goals.Add(new GoalDefinition(String(x, "name") ?? node, node, kind, String(x, "path")));
            }
        }

        var metadataRoot = root.TryGetProperty("metadata", out var md) && md.ValueKind == JsonValueKind.Object ? (IReadOnlyDictionary<string, object?>)ToValue(md)! : null;
        var dagId = String(root, "dag_id");
        if (problems.Count > 0) throw new ValidationException(problems);
        if (externals.Count == 0) return UserDagCompiler.Compile(nodes, operations, goals, dagId, dependencies, metadataRoot);

        // External references are not operations: compile with a registry that knows them, then swap them in.
        return CompileWithExternals(nodes, operations, goals, dagId, dependencies, metadataRoot, externals);
    }

    private static DagDefinition CompileWithExternals(List<NodeDefinition> nodes, IOperatorResolver operations, List<GoalDefinition>? goals, string? dagId,
        Dictionary<string, IReadOnlyList<string>>? dependencies, IReadOnlyDictionary<string, object?>? metadata, Dictionary<string, NodeId> externals)
    {
        // Externals are leaves: check the others with them as constants, then build by hand in the same order.
        var asConstants = nodes.Select(n => externals.ContainsKey(n.Name) ? NodeDefinition.Constant(n.Name, "\u0000external:" + n.Name) : n).ToList();
        var check = UserDagCompiler.Compile(asConstants, operations, goals, dagId, dependencies, metadata);
        var builder = new DagBuilder(check.Nodes.Count);
        var nameOf = check.Labels.GroupBy(kv => kv.Value).ToDictionary(x => x.Key, x => x.Select(kv => kv.Key).ToList());
        var map = new int[check.Nodes.Count];
        foreach (var node in check.Nodes)
        {
            var names = nameOf.TryGetValue(node.Index, out var list) ? list : [];
            var external = names.FirstOrDefault(externals.ContainsKey);
            map[node.Index] = external is not null
                ? builder.External(externals[external])
                : node.Kind == NodeKind.Constant
                    ? builder.Constant(node.Value)
                    : builder.Operation(node.Operator, node.Revision, node.Arguments.Select(a => map[a]).ToArray(), node.Attributes);
            foreach (var name in names) builder.TryLabel(name, map[node.Index]);
        }

        foreach (var goal in check.Goals) builder.AddGoal(goal with { Node = map[goal.Node] });
        return builder.Build(check.DagId == dagId ? dagId : null, check.Metadata);
    }

    /// <summary>The DAG as JSON in the specification's DAGDefinition shape.</summary>
    public static string ToJson(DagDefinition dag, bool indented = true)
    {
        ArgumentNullException.ThrowIfNull(dag);
        var names = NodeNames(dag);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = indented }))
        {
            w.WriteStartObject();
            w.WriteString("dag_id", dag.DagId);
            w.WriteStartArray("nodes");
            IReadOnlyDictionary<string, object?>? nodeMetadata = dag.Metadata is { } md && md.TryGetValue(UserDagCompiler.NodeMetadataKey, out var nm)
                ? nm as IReadOnlyDictionary<string, object?> : null;
            foreach (var node in dag.Nodes)
            {
                w.WriteStartObject();
                w.WriteString("node_id", names[node.Index]);
                w.WriteString("id", node.Id.ToString());
                w.WriteString("operation", node.Kind switch
                {
                    NodeKind.Constant => NodeDefinition.ConstantOperation,
                    NodeKind.External => External,
                    _ => node.Operator,
                });
                w.WriteStartArray("arguments");
                foreach (var a in node.Arguments) w.WriteStringValue(names[a]);
                w.WriteEndArray();
                w.WritePropertyName("parameters");
                switch (node.Kind)
                {
                    case NodeKind.Constant:
                        WriteValue(w, new Dictionary<string, object?> { [NodeDefinition.ValueParameter] = node.Value });
                        break;
                    case NodeKind.External:
                        WriteValue(w, new Dictionary<string, object?> { ["id"] = node.Id.ToString() });
                        break;
                    default:
                        WriteValue(w, node.Attributes ?? new Dictionary<string, object?>());
                        break;
                }

                if (nodeMetadata is not null && nodeMetadata.TryGetValue(names[node.Index], out var meta))
                {
                    w.WritePropertyName("metadata");
                    WriteValue(w, meta);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartObject("dependencies");
            foreach (var node in dag.Nodes.Where(n => n.Arguments.Length > 0))
            {
                w.WriteStartArray(names[node.Index]);
                foreach (var a in node.Arguments) w.WriteStringValue(names[a]);
                w.WriteEndArray();
            }

            w.WriteEndObject();
            w.WriteStartArray("goals");
            foreach (var goal in dag.Goals)
            {
                if (goal.Kind == GoalKind.Node && goal.Path is null && goal.Name == names[goal.Node])
                {
                    w.WriteStringValue(goal.Name);
                    continue;
                }

                w.WriteStartObject();
                w.WriteString("name", goal.Name);
                w.WriteString("kind", goal.Kind.ToString().ToLowerInvariant());
                w.WriteString("node", names[goal.Node]);
                if (goal.Path is not null) w.WriteString("path", goal.Path);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            var rest = dag.Metadata?.Where(kv => kv.Key != UserDagCompiler.NodeMetadataKey).ToDictionary(kv => kv.Key, kv => kv.Value);
            if (rest is { Count: > 0 })
            {
                w.WritePropertyName("metadata");
                WriteValue(w, rest);
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Each node's exported name: its first label, else its content id.</summary>
    internal static string[] NodeNames(DagDefinition dag)
    {
        var names = new string?[dag.Nodes.Count];
        foreach (var (label, index) in dag.Labels.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            names[index] ??= label;
        }

        for (var i = 0; i < names.Length; i++) names[i] ??= dag.Nodes[i].Id.ToString();
        return names!;
    }

    /// <summary>A JSON value as a runtime value (see the class remarks for numbers).</summary>
    public static object? ToValue(JsonElement element, int depth = 0)
    {
        if (depth > 256) throw Invalid("JSON nested more than 256 levels deep.");
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return element.GetString();
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            case JsonValueKind.Number:
                var d = element.GetDouble();
                if (Math.Abs(d) > 9007199254740992d && d == Math.Floor(d))
                {
                    if (element.TryGetInt64(out var l)) return l;
                    if (element.TryGetUInt64(out var u)) return u;
                }

                return d;
            case JsonValueKind.Array:
                return element.EnumerateArray().Select(e => ToValue(e, depth + 1)).ToArray();
            case JsonValueKind.Object:
                var record = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var p in element.EnumerateObject()) record[p.Name] = ToValue(p.Value, depth + 1);
                return record;
            default:
                return null;
        }
    }

    /// <summary>A goal kind by its name (<c>node</c>, <c>print</c>, <c>save</c>, any case); numbers and combinations are not kinds.</summary>
    public static bool TryParseKind(string text, out GoalKind kind)
    {
        foreach (var k in Enum.GetValues<GoalKind>())
        {
            if (string.Equals(text, k.ToString(), StringComparison.OrdinalIgnoreCase))
            {
                kind = k;
                return true;
            }
        }

        kind = GoalKind.Node;
        return false;
    }

    private static void WriteValue(Utf8JsonWriter w, object? value) => w.WriteRawValue(CanonicalJson.Serialize(value), skipInputValidation: true);

    private static string? String(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static ValidationException Invalid(string message) => new(message, "InvalidJson");
}
