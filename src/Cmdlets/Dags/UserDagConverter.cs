using System.Collections;
using VoxScheduler.Cmdlets.Output;
using VoxScheduler.Dag;
using VoxScheduler.Operations;

namespace VoxScheduler.Cmdlets.Dags;

/// <summary>
/// Turns the PowerShell forms of a user DAG (hashtables, custom objects, <see cref="VoxNode"/>s)
/// into the engine's <see cref="NodeDefinition"/>s and compiles them with
/// <see cref="UserDagCompiler"/>; JSON text goes to <see cref="DagJson"/>. All DAG semantics
/// (names, operations, arity, cycles, default goals, content ids) live in the engine; this class
/// only reads PowerShell shapes, such as <c>nodes = @{ a = 1 }</c> or <c>op</c>/<c>args</c> aliases.
/// </summary>
internal static class UserDagConverter
{
    /// <summary>Converts any accepted DAG form.</summary>
    /// <exception cref="ValidationException">The DAG is invalid (every problem listed).</exception>
    public static DagDefinition Convert(object? input, OperationRegistry operations)
    {
        input = PSValue.Unwrap(input);
        switch (input)
        {
            case VoxDag dag:
                return dag.Definition;
            case DagDefinition definition:
                return definition;
            case string json:
                return DagJson.Parse(json, operations);
            case VoxNode node:
                return FromNodes([node], null, operations);
            case IEnumerable list when list is not IDictionary && !PSValue.IsRecordLike(list):
                var items = list.Cast<object?>().Select(PSValue.Unwrap).ToList();
                if (items.All(i => i is VoxNode)) return FromNodes(items.Cast<VoxNode>().ToList(), null, operations);
                return FromSpec(new Dictionary<string, object?> { ["nodes"] = items }, operations);
            default:
                if (!PSValue.IsRecordLike(input))
                {
                    throw new ValidationException($"A DAG is a hashtable, a custom object, JSON text or New-VoxNode objects, not {input?.GetType().Name ?? "null"}.", "InvalidDag");
                }

                return FromSpec(input, operations);
        }
    }

    /// <summary>Builds a DAG from node objects (goals: the given names, else the nodes made with -Goal, else the engine's default).</summary>
    public static DagDefinition FromNodes(IReadOnlyList<VoxNode> nodes, IReadOnlyList<string>? goals, OperationRegistry operations)
    {
        var definitions = nodes.Select(ToDefinition).ToList();
        goals ??= MarkedGoals(nodes.Select(n => (n.Name, n.IsGoal)));
        return UserDagCompiler.Compile(definitions, operations, goals);
    }

    private static NodeDefinition ToDefinition(VoxNode node) => ToDefinition(node, node.Name);

    private static NodeDefinition ToDefinition(VoxNode node, string name) => node.IsConstant
        ? NodeDefinition.Constant(name, node.Value)
        : new NodeDefinition(name, node.Operation, node.Arguments, node.Parameters);

    private static List<string>? MarkedGoals(IEnumerable<(string Name, bool IsGoal)> nodes)
    {
        var marked = nodes.Where(n => n.IsGoal).Select(n => n.Name).ToList();
        return marked.Count > 0 ? marked : null;
    }

    private static DagDefinition FromSpec(object? spec, OperationRegistry operations)
    {
        var problems = new List<ValidationProblem>();
        var dagId = PSValue.TryGet(spec, out var id, "dag_id", "dagId", "id") ? PSValue.Unwrap(id)?.ToString() : null;
        var metadata = PSValue.TryGet(spec, out var meta, "metadata") ? PSValue.ToRuntime(meta) as IReadOnlyDictionary<string, object?> : null;
        if (!PSValue.TryGet(spec, out var nodesValue, "nodes"))
        {
            throw new ValidationException("The DAG has no 'nodes'.", "InvalidDag");
        }

        var nodes = new List<(NodeDefinition Node, bool IsGoal)>();
        nodesValue = PSValue.Unwrap(nodesValue);
        if (PSValue.IsRecordLike(nodesValue))
        {
            // nodes = @{ a = 1; sum = @{ operation = 'default.add'; arguments = 'a', 'a' } }
            foreach (var (name, value) in PSValue.Members(nodesValue)) nodes.Add(ReadNode(value, name, problems));
        }
        else if (nodesValue is IEnumerable list and not string)
        {
            foreach (var item in list) nodes.Add(ReadNode(item, null, problems));
        }
        else
        {
            throw new ValidationException("'nodes' must be a list of node objects or a table of name = node.", "InvalidDag");
        }

        Dictionary<string, IReadOnlyList<string>>? dependencies = null;
        if (PSValue.TryGet(spec, out var deps, "dependencies") && PSValue.IsRecordLike(deps))
        {
            dependencies = new(StringComparer.Ordinal);
            foreach (var (name, value) in PSValue.Members(deps)) dependencies[name] = PSValue.StringList(value);
        }

        List<GoalDefinition>? goals = null;
        if (PSValue.TryGet(spec, out var goalsValue, "goals") && goalsValue is not null)
        {
            goals = [];
            foreach (var g in PSValue.Unwrap(goalsValue) is IEnumerable e and not string ? e.Cast<object?>() : [goalsValue])
            {
                if (ReadGoal(PSValue.Unwrap(g), problems) is { } goal) goals.Add(goal);
            }
        }

        goals ??= MarkedGoals(nodes.Select(n => (n.Node.Name, n.IsGoal)))?.Select(GoalDefinition.ForNode).ToList();
        DagDefinition? dag = null;
        IReadOnlyList<ValidationProblem> engineProblems = [];
        try
        {
            dag = UserDagCompiler.Compile(nodes.Select(n => n.Node).ToList(), operations, goals, string.IsNullOrWhiteSpace(dagId) ? null : dagId, dependencies, metadata);
        }
        catch (ValidationException e) when (problems.Count > 0)
        {
            engineProblems = e.Problems;
        }

        // Problems with the PowerShell shapes and the engine's problems, reported together.
        if (problems.Count > 0) throw new ValidationException([.. problems, .. engineProblems]);
        return dag!;
    }

    private static GoalDefinition? ReadGoal(object? goal, List<ValidationProblem> problems)
    {
        if (!PSValue.IsRecordLike(goal)) return goal?.ToString() is { } s ? GoalDefinition.ForNode(s) : null;
        var node = PSValue.TryGet(goal, out var n, "node", "node_id") ? PSValue.Unwrap(n)?.ToString() : null;
        var name = PSValue.TryGet(goal, out var nm, "name") ? PSValue.Unwrap(nm)?.ToString() : node;
        var kindText = PSValue.TryGet(goal, out var k, "kind") ? PSValue.Unwrap(k)?.ToString() : null;
        var path = PSValue.TryGet(goal, out var p, "path") ? PSValue.Unwrap(p)?.ToString() : null;
        var kind = GoalKind.Node;
        if (node is null || name is null || (kindText is not null && !DagJson.TryParseKind(kindText, out kind)))
        {
            problems.Add(new("InvalidGoal", "A goal is a node name, or a table with 'node' (and a kind node, print or save)."));
            return null;
        }

        return new GoalDefinition(name, node, kind, path);
    }

    private static (NodeDefinition Node, bool IsGoal) ReadNode(object? item, string? name, List<ValidationProblem> problems)
    {
        item = PSValue.Unwrap(item);
        if (item is VoxNode vn) return (ToDefinition(vn, name ?? vn.Name), vn.IsGoal);

        // In a table of name = node, anything that is not a node is a constant's value; in a list,
        // it has no name, which the compiler reports with the node's position.
        if (!PSValue.IsRecordLike(item)) return (name is null ? new NodeDefinition(string.Empty, string.Empty) : NodeDefinition.Constant(name, PSValue.ToRuntime(item)), false);

        name ??= PSValue.TryGet(item, out var n, "node_id", "name", "id") ? PSValue.Unwrap(n)?.ToString() : null;
        name ??= string.Empty;
        var op = PSValue.TryGet(item, out var o, "operation", "op", "operator") ? PSValue.Unwrap(o)?.ToString() : null;
        var isGoal = PSValue.TryGet(item, out var goal, "goal", "is_goal") && PSValue.Unwrap(goal) is true;
        var args = PSValue.TryGet(item, out var a, "arguments", "args", "inputs") ? PSValue.StringList(a) : null;
        IReadOnlyDictionary<string, object?>? parameters = null;
        if (PSValue.TryGet(item, out var p, "parameters", "attributes", "params") && p is not null)
        {
            parameters = PSValue.ToRuntime(p) as IReadOnlyDictionary<string, object?>;
            if (parameters is null) problems.Add(new("InvalidNode", $"Node '{name}': parameters must be a table.", Node: name));
        }

        var metadata = PSValue.TryGet(item, out var m, "metadata") ? PSValue.ToRuntime(m) as IReadOnlyDictionary<string, object?> : null;

        // PowerShell's constant shorthand: @{ node_id = 'a'; value = 20 }, the same as DagJson's.
        if ((op is null || op == NodeDefinition.ConstantOperation) && parameters is null && PSValue.TryGet(item, out var value, NodeDefinition.ValueParameter))
        {
            return (NodeDefinition.Constant(name, PSValue.ToRuntime(value)) with { Arguments = args, Metadata = metadata }, isGoal);
        }

        return (new NodeDefinition(name, op ?? string.Empty, args, parameters, metadata), isGoal);
    }
}
