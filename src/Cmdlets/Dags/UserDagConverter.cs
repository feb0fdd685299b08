using System.Collections;
using System.Text.Json;
using VoxScheduler.Cmdlets.Output;
using VoxScheduler.Dag;
using VoxScheduler.Operations;

namespace VoxScheduler.Cmdlets.Dags;

/// <summary>
/// Builds engine DAGs from what users write: JSON text (the specification's DAGDefinition shape,
/// as written by <c>ConvertTo-VoxDag -AsJson</c>), hashtables, custom objects, or
/// <see cref="VoxNode"/>s. Nodes are named freely; every problem (duplicate names, missing
/// arguments, unknown operations, wrong arity, cycles) is reported at once.
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
                return FromJson(json, operations);
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

    /// <summary>Parses JSON text.</summary>
    public static DagDefinition FromJson(string json, OperationRegistry operations)
    {
        object? spec;
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            spec = PSValue.FromJson(document.RootElement);
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $"line {line + 1}, column {(e.BytePositionInLine ?? 0) + 1}: " : string.Empty;
            throw new ValidationException(new[] { new ValidationProblem("InvalidJson", $"DAG JSON {where}{e.Message}", null, (int)(e.LineNumber ?? -1) + 1, (int)(e.BytePositionInLine ?? -1) + 1) });
        }

        return FromSpec(spec, operations);
    }

    /// <summary>Builds a DAG from node objects (goals: the nodes marked as goals, else the nodes nothing depends on).</summary>
    public static DagDefinition FromNodes(IReadOnlyList<VoxNode> nodes, IReadOnlyList<string>? goals, OperationRegistry operations)
    {
        var specs = nodes.Select(n => new NodeSpec(n.Name, n.Operation, n.Arguments, n.Parameters, n.Value, n.IsConstant, n.IsGoal)).ToList();
        var goalSpecs = goals?.Select(g => new GoalSpec(g, g, GoalKind.Node, null)).ToList();
        return Build(specs, goalSpecs, null, null, operations);
    }

    private static DagDefinition FromSpec(object? spec, OperationRegistry operations)
    {
        var problems = new List<ValidationProblem>();
        string? dagId = PSValue.TryGet(spec, out var id, "dag_id", "dagId", "id") ? PSValue.Unwrap(id)?.ToString() : null;
        IReadOnlyDictionary<string, object?>? metadata = PSValue.TryGet(spec, out var meta, "metadata") && PSValue.ToRuntime(meta) is IReadOnlyDictionary<string, object?> m ? m : null;
        if (!PSValue.TryGet(spec, out var nodesValue, "nodes"))
        {
            throw new ValidationException("The DAG has no 'nodes'.", "InvalidDag");
        }

        var nodes = new List<NodeSpec>();
        nodesValue = PSValue.Unwrap(nodesValue);
        if (PSValue.IsRecordLike(nodesValue))
        {
            // nodes = @{ a = 1; sum = @{ operation = 'default.add'; arguments = 'a', 'a' } }
            foreach (var (name, value) in PSValue.Members(nodesValue))
            {
                nodes.Add(ParseNode(value, name, problems));
            }
        }
        else if (nodesValue is IEnumerable list and not string)
        {
            var i = 0;
            foreach (var item in list)
            {
                nodes.Add(ParseNode(item, null, problems, i++));
            }
        }
        else
        {
            throw new ValidationException("'nodes' must be a list of node objects or a table of name = node.", "InvalidDag");
        }

        // The specification's separate dependency map: node -> [dependencies]; each must be an argument.
        if (PSValue.TryGet(spec, out var deps, "dependencies") && deps is not null)
        {
            var byName = nodes.ToDictionary(n => n.Name, StringComparer.Ordinal);
            foreach (var (name, value) in PSValue.Members(deps))
            {
                if (!byName.TryGetValue(name, out var node))
                {
                    problems.Add(new("MissingDependency", $"dependencies: node '{name}' is not defined.", Node: name));
                    continue;
                }

                foreach (var dep in PSValue.StringList(value))
                {
                    if (!node.Arguments.Contains(dep, StringComparer.Ordinal))
                    {
                        problems.Add(new("MissingDependency", $"dependencies: '{name}' depends on '{dep}', which is not one of its arguments.", Node: name));
                    }
                }
            }
        }

        List<GoalSpec>? goals = null;
        if (PSValue.TryGet(spec, out var goalsValue, "goals") && goalsValue is not null)
        {
            goals = [];
            foreach (var g in PSValue.Unwrap(goalsValue) is IEnumerable e and not string ? e.Cast<object?>() : [goalsValue])
            {
                var gv = PSValue.Unwrap(g);
                if (PSValue.IsRecordLike(gv))
                {
                    var node = PSValue.TryGet(gv, out var n, "node", "node_id") ? PSValue.Unwrap(n)?.ToString() : null;
                    var name = PSValue.TryGet(gv, out var nm, "name") ? PSValue.Unwrap(nm)?.ToString() : node;
                    var kind = PSValue.TryGet(gv, out var k, "kind") && Enum.TryParse<GoalKind>(PSValue.Unwrap(k)?.ToString(), true, out var parsed) ? parsed : GoalKind.Node;
                    var path = PSValue.TryGet(gv, out var p, "path") ? PSValue.Unwrap(p)?.ToString() : null;
                    if (node is null || name is null)
                    {
                        problems.Add(new("InvalidGoal", "A goal needs a 'node'."));
                        continue;
                    }

                    goals.Add(new GoalSpec(name, node, kind, path));
                }
                else if (gv?.ToString() is { } s)
                {
                    goals.Add(new GoalSpec(s, s, GoalKind.Node, null));
                }
            }
        }

        return Build(nodes, goals, dagId, metadata, operations, problems);
    }

    private static NodeSpec ParseNode(object? item, string? name, List<ValidationProblem> problems, int position = -1)
    {
        item = PSValue.Unwrap(item);
        if (item is VoxNode vn)
        {
            return new NodeSpec(name ?? vn.Name, vn.Operation, vn.Arguments, vn.Parameters, vn.Value, vn.IsConstant, vn.IsGoal);
        }

        if (!PSValue.IsRecordLike(item))
        {
            if (name is not null)
            {
                return new NodeSpec(name, DagBuilder.ConstantOperator, [], null, PSValue.ToRuntime(item), true, false);
            }

            problems.Add(new("InvalidNode", $"Node #{position + 1} is not an object with node_id and operation."));
            return new NodeSpec($"#{position + 1}", DagBuilder.ConstantOperator, [], null, null, true, false);
        }

        name ??= PSValue.TryGet(item, out var n, "node_id", "name", "id") ? PSValue.Unwrap(n)?.ToString() : null;
        if (string.IsNullOrEmpty(name))
        {
            problems.Add(new("InvalidNode", $"Node #{position + 1} has no node_id."));
            name = $"#{position + 1}";
        }

        var op = PSValue.TryGet(item, out var o, "operation", "op", "operator") ? PSValue.Unwrap(o)?.ToString() : null;
        var hasValue = PSValue.TryGet(item, out var value, "value");
        var isGoal = PSValue.TryGet(item, out var goal, "goal", "is_goal") && PSValue.Unwrap(goal) is true;
        if (op is null || op == DagBuilder.ConstantOperator)
        {
            if (!hasValue)
            {
                problems.Add(new("InvalidNode", $"Node '{name}' has neither an operation nor a value.", Node: name));
            }

            return new NodeSpec(name, DagBuilder.ConstantOperator, [], null, PSValue.ToRuntime(value), true, isGoal);
        }

        var args = PSValue.TryGet(item, out var a, "arguments", "args", "inputs") ? PSValue.StringList(a) : [];
        IReadOnlyDictionary<string, object?>? parameters = null;
        if (PSValue.TryGet(item, out var p, "parameters", "attributes", "params") && p is not null)
        {
            parameters = PSValue.ToRuntime(p) as IReadOnlyDictionary<string, object?>;
            if (parameters is null) problems.Add(new("InvalidNode", $"Node '{name}': parameters must be a table.", Node: name));
        }

        return new NodeSpec(name, op, args, parameters, null, false, isGoal);
    }

    private static DagDefinition Build(List<NodeSpec> nodes, List<GoalSpec>? goals, string? dagId,
        IReadOnlyDictionary<string, object?>? metadata, OperationRegistry operations, List<ValidationProblem>? problems = null)
    {
        problems ??= [];
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var resolved = new Operation?[nodes.Count];
        for (var i = 0; i < nodes.Count; i++)
        {
            var node = nodes[i];
            if (!index.TryAdd(node.Name, i))
            {
                problems.Add(new("DuplicateNode", $"Node '{node.Name}' is defined more than once.", Node: node.Name));
                continue;
            }

            if (node.IsConstant) continue;
            var name = node.Operation.Contains('.') ? node.Operation : "default." + node.Operation;
            if (!operations.TryGet(name, out var operation))
            {
                problems.Add(new("UnknownOperation", $"Node '{node.Name}': unknown operation '{node.Operation}'.", Node: node.Name));
            }
            else if (!operation.AcceptsArity(node.Arguments.Count))
            {
                problems.Add(new("Arity", $"Node '{node.Name}': {operation.Name} takes {operation.ArityText} arguments, not {node.Arguments.Count}.", Node: node.Name));
            }
            else
            {
                resolved[i] = operation;
            }
        }

        for (var i = 0; i < nodes.Count; i++)
        {
            foreach (var arg in nodes[i].Arguments)
            {
                if (!index.ContainsKey(arg))
                {
                    problems.Add(new("MissingDependency", $"Node '{nodes[i].Name}' uses '{arg}', which is not defined.", Node: nodes[i].Name));
                }
            }
        }

        // Kahn's algorithm over names; what is left afterwards lies on or behind a cycle.
        var order = TopologicalOrder(nodes, index, out var cyclic);
        if (cyclic.Count > 0)
        {
            problems.Add(new("Cycle", $"The DAG has a cycle: {DescribeCycle(nodes, index, cyclic)}.", Node: nodes[cyclic[0]].Name));
        }

        var dependedOn = new HashSet<string>(nodes.SelectMany(n => n.Arguments), StringComparer.Ordinal);
        goals ??= nodes.Any(n => n.IsGoal)
            ? nodes.Where(n => n.IsGoal).Select(n => new GoalSpec(n.Name, n.Name, GoalKind.Node, null)).ToList()
            : nodes.Where(n => !dependedOn.Contains(n.Name)).Select(n => new GoalSpec(n.Name, n.Name, GoalKind.Node, null)).ToList();
        foreach (var goal in goals)
        {
            if (!index.ContainsKey(goal.Node))
            {
                problems.Add(new("UnknownGoal", $"Goal '{goal.Name}' names node '{goal.Node}', which is not defined.", Node: goal.Node));
            }
        }

        if (nodes.Count == 0) problems.Add(new("EmptyDag", "The DAG has no nodes."));
        if (problems.Count > 0) throw new ValidationException(problems);

        var builder = new DagBuilder(nodes.Count);
        var built = new int[nodes.Count];
        var args = new List<int>();
        foreach (var i in order)
        {
            var node = nodes[i];
            if (node.IsConstant)
            {
                built[i] = builder.Constant(node.Value);
            }
            else
            {
                args.Clear();
                foreach (var a in node.Arguments) args.Add(built[index[a]]);
                built[i] = builder.Operation(resolved[i]!.Name, resolved[i]!.Revision, args.ToArray(), node.Parameters);
            }

            if (!builder.TryLabel(node.Name, built[i]))
            {
                throw new ValidationException($"Node name '{node.Name}' is used twice.", "DuplicateNode");
            }
        }

        foreach (var goal in goals)
        {
            builder.AddGoal(new DagGoal(goal.Name, goal.Kind, built[index[goal.Node]], goal.Path));
        }

        return builder.Build(string.IsNullOrWhiteSpace(dagId) ? null : dagId, metadata);
    }

    private static List<int> TopologicalOrder(List<NodeSpec> nodes, Dictionary<string, int> index, out List<int> cyclic)
    {
        var pending = new int[nodes.Count];
        var dependents = new List<int>[nodes.Count];
        for (var i = 0; i < nodes.Count; i++)
        {
            if (index[nodes[i].Name] != i) continue; // duplicate, already reported
            foreach (var arg in nodes[i].Arguments)
            {
                if (!index.TryGetValue(arg, out var a)) continue;
                pending[i]++;
                (dependents[a] ??= []).Add(i);
            }
        }

        var queue = new Queue<int>(Enumerable.Range(0, nodes.Count).Where(i => pending[i] == 0 && index[nodes[i].Name] == i));
        var order = new List<int>(nodes.Count);
        while (queue.Count > 0)
        {
            var n = queue.Dequeue();
            order.Add(n);
            if (dependents[n] is null) continue;
            foreach (var d in dependents[n])
            {
                if (--pending[d] == 0) queue.Enqueue(d);
            }
        }

        cyclic = Enumerable.Range(0, nodes.Count).Where(i => pending[i] > 0).ToList();
        return order;
    }

    private static string DescribeCycle(List<NodeSpec> nodes, Dictionary<string, int> index, List<int> stuck)
    {
        // Walk unfinished arguments from a stuck node until a name repeats: that loop is a cycle.
        var stuckSet = stuck.ToHashSet();
        var path = new List<int>();
        var seen = new Dictionary<int, int>();
        var current = stuck[0];
        while (!seen.ContainsKey(current))
        {
            seen[current] = path.Count;
            path.Add(current);
            current = nodes[current].Arguments.Select(a => index.TryGetValue(a, out var x) ? x : -1).First(x => x >= 0 && stuckSet.Contains(x));
        }

        var loop = path.Skip(seen[current]).Append(current).Select(i => nodes[i].Name);
        return string.Join(" -> ", loop.Reverse());
    }

    private sealed record NodeSpec(string Name, string Operation, IReadOnlyList<string> Arguments,
        IReadOnlyDictionary<string, object?>? Parameters, object? Value, bool IsConstant, bool IsGoal);

    private sealed record GoalSpec(string Name, string Node, GoalKind Kind, string? Path);
}
