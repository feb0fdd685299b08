namespace VoxScheduler.Dag;

/// <summary>
/// Turns user-written <see cref="NodeDefinition"/>s into a content-addressed
/// <see cref="DagDefinition"/>: checks everything first and reports every problem at once
/// (duplicate names, unknown operations, wrong arity, missing dependencies, cycles with their
/// path), then orders the nodes topologically (Kahn, keeping the given order where it can) and
/// builds them through <see cref="DagBuilder"/>, so identical sub-computations get identical ids.
/// Parameters become node attributes; constants (<c>constant</c> with <c>parameters.value</c>)
/// become constant nodes; an unqualified operation name (<c>add</c>) means the <c>default</c>
/// namespace. Goals are the given names (or goal definitions), or else every node nothing depends
/// on, in the given order. Node names become labels; node metadata is kept in the DAG's metadata under
/// <see cref="NodeMetadataKey"/>.
/// </summary>
public static class UserDagCompiler
{
    /// <summary>Key of the DAG metadata entry holding each node's metadata by name.</summary>
    public const string NodeMetadataKey = "node_metadata";

    /// <summary>Most cycles listed in one report.</summary>
    private const int MaxCycles = 10;

    /// <summary>Compiles a list of node definitions.</summary>
    /// <param name="nodes">The nodes, in any order.</param>
    /// <param name="operations">The operations available.</param>
    /// <param name="goals">Names of the nodes to compute; null for every node without dependents.</param>
    /// <param name="dagId">The DAG's id; null derives one from the goals' content ids.</param>
    /// <param name="dependencies">The specification's dependency map (name → names); must agree with each node's arguments.</param>
    /// <param name="metadata">The DAG's metadata.</param>
    /// <exception cref="ValidationException">Every problem found.</exception>
    public static DagDefinition Compile(IReadOnlyList<NodeDefinition> nodes, IOperatorResolver operations, IReadOnlyList<string>? goals = null,
        string? dagId = null, IReadOnlyDictionary<string, IReadOnlyList<string>>? dependencies = null,
        IReadOnlyDictionary<string, object?>? metadata = null) =>
        Compile(nodes, operations, goals?.Select(GoalDefinition.ForNode).ToList(), dagId, dependencies, metadata);

    /// <summary>Compiles a list of node definitions with goals that may be named apart from their nodes, or print or save.</summary>
    /// <param name="nodes">The nodes, in any order.</param>
    /// <param name="operations">The operations available.</param>
    /// <param name="goals">The goals; null for every node without dependents.</param>
    /// <param name="dagId">The DAG's id; null derives one from the goals' content ids.</param>
    /// <param name="dependencies">The specification's dependency map (name → names); must agree with each node's arguments.</param>
    /// <param name="metadata">The DAG's metadata.</param>
    /// <exception cref="ValidationException">Every problem found.</exception>
    public static DagDefinition Compile(IReadOnlyList<NodeDefinition> nodes, IOperatorResolver operations, IReadOnlyList<GoalDefinition>? goals,
        string? dagId = null, IReadOnlyDictionary<string, IReadOnlyList<string>>? dependencies = null,
        IReadOnlyDictionary<string, object?>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(operations);
        var problems = new List<ValidationProblem>();
        var byName = new Dictionary<string, int>(StringComparer.Ordinal);
        var ops = new IOperatorSignature?[nodes.Count];
        var args = new string[nodes.Count][];
        for (var i = 0; i < nodes.Count; i++)
        {
            var node = nodes[i];
            if (node is null || string.IsNullOrWhiteSpace(node.Name))
            {
                problems.Add(new("InvalidNode", $"Node {i + 1} has no name (node_id)."));
                args[i] = [];
                continue;
            }

            if (!byName.TryAdd(node.Name, i))
            {
                problems.Add(new("DuplicateNode", $"Node '{node.Name}' is defined more than once.", Node: node.Name));
            }

            args[i] = [.. node.Arguments ?? []];
            if (dependencies is not null && dependencies.TryGetValue(node.Name, out var deps))
            {
                if (args[i].Length == 0) args[i] = [.. deps];
                else if (!deps.ToHashSet(StringComparer.Ordinal).SetEquals(args[i]))
                {
                    problems.Add(new("InconsistentDependencies",
                        $"Node '{node.Name}': dependencies [{string.Join(", ", deps)}] do not match its arguments [{string.Join(", ", args[i])}].",
                        Node: node.Name));
                }
            }

            if (string.IsNullOrEmpty(node.Operation))
            {
                problems.Add(new("UnknownOperation", $"Node '{node.Name}' has no operation.", Node: node.Name));
            }
            else if (node.Operation == NodeDefinition.ConstantOperation)
            {
                if (node.Parameters is null || !node.Parameters.ContainsKey(NodeDefinition.ValueParameter))
                    problems.Add(new("MissingValue", $"Constant node '{node.Name}' has no parameters.value.", Node: node.Name));
                if (args[i].Length > 0)
                    problems.Add(new("WrongArity", $"Constant node '{node.Name}' cannot have arguments.", Node: node.Name));
            }
            else if (!TryResolve(operations, node.Operation, out var op))
            {
                problems.Add(new("UnknownOperation", $"Node '{node.Name}' uses the unknown operation '{node.Operation}'.", Node: node.Name));
            }
            else
            {
                ops[i] = op;
                if (!op.AcceptsArity(args[i].Length))
                    problems.Add(new("WrongArity", $"Node '{node.Name}': '{op.Name}' takes {op.ArityText} argument(s), not {args[i].Length}.", Node: node.Name));
            }

            if (node.Operation != NodeDefinition.ConstantOperation && node.Parameters is { Count: > 0 } parameters)
            {
                try
                {
                    CanonicalJson.Serialize(parameters);
                }
                catch (ArgumentException e)
                {
                    problems.Add(new("InvalidParameters", $"Node '{node.Name}': {e.Message}", Node: node.Name));
                }
            }
        }

        if (dependencies is not null)
        {
            foreach (var name in dependencies.Keys.Where(k => !byName.ContainsKey(k)))
            {
                problems.Add(new("MissingDependency", $"The dependencies name node '{name}', which is not defined.", Node: name));
            }
        }

        for (var i = 0; i < nodes.Count; i++)
        {
            foreach (var a in args[i].Where(a => !byName.ContainsKey(a)).Distinct(StringComparer.Ordinal))
            {
                problems.Add(new("MissingDependency", $"Node '{nodes[i]?.Name}' depends on '{a}', which is not defined.", Node: nodes[i]?.Name));
            }
        }

        if (nodes.Count == 0) problems.Add(new("EmptyDag", "The DAG has no nodes."));
        var order = TopologicalOrder(nodes, args, byName, problems);
        var goalList = goals ?? Sinks(nodes, args, byName).Select(GoalDefinition.ForNode).ToList();
        foreach (var g in goalList)
        {
            if (g is null || string.IsNullOrEmpty(g.Node)) problems.Add(new("InvalidGoal", $"Goal '{g?.Name}' names no node."));
            else if (!byName.ContainsKey(g.Node))
                problems.Add(new("InvalidGoal", g.Name == g.Node ? $"Goal '{g.Node}' is not a node of the DAG." : $"Goal '{g.Name}' names node '{g.Node}', which is not a node of the DAG.", Node: g.Node));
            else if (g.Kind == GoalKind.Save && string.IsNullOrEmpty(g.Path))
                problems.Add(new("InvalidGoal", $"Save goal '{g.Name}' has no path.", Node: g.Node));
        }

        if (problems.Count > 0) throw new ValidationException(problems);

        var builder = new DagBuilder(nodes.Count);
        var index = new int[nodes.Count];
        Dictionary<string, object?>? nodeMetadata = null;
        foreach (var i in order)
        {
            var node = nodes[i];
            if (ops[i] is { } op)
            {
                var argIndices = args[i].Select(a => index[byName[a]]).ToArray();
                index[i] = builder.Operation(op.Name, op.Revision, argIndices, node.Parameters);
            }
            else
            {
                index[i] = builder.Constant(node.Parameters![NodeDefinition.ValueParameter]);
            }

            builder.TryLabel(node.Name, index[i]);
            if (node.Metadata is { Count: > 0 }) (nodeMetadata ??= new(StringComparer.Ordinal))[node.Name] = node.Metadata;
        }

        foreach (var g in goalList) builder.AddGoal(new DagGoal(string.IsNullOrEmpty(g.Name) ? g.Node : g.Name, g.Kind, index[byName[g.Node]], g.Path));
        IReadOnlyDictionary<string, object?>? allMetadata = metadata;
        if (nodeMetadata is not null)
        {
            var merged = metadata is null ? new Dictionary<string, object?>(StringComparer.Ordinal) : new Dictionary<string, object?>(metadata, StringComparer.Ordinal);
            merged[NodeMetadataKey] = nodeMetadata;
            allMetadata = merged;
        }

        return builder.Build(dagId, allMetadata);
    }

    /// <summary>An operation by qualified name, or an unqualified name in the <c>default</c> namespace.</summary>
    internal static bool TryResolve(IOperatorResolver operations, string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IOperatorSignature? operation) =>
        operations.TryResolve(name, out operation) || (!name.Contains('.', StringComparison.Ordinal) && operations.TryResolve("default." + name, out operation));

    private static List<string> Sinks(IReadOnlyList<NodeDefinition> nodes, string[][] args, Dictionary<string, int> byName)
    {
        var used = new HashSet<string>(args.SelectMany(a => a), StringComparer.Ordinal);
        var sinks = new List<string>();
        for (var i = 0; i < nodes.Count; i++)
        {
            var name = nodes[i]?.Name;
            if (name is not null && byName.TryGetValue(name, out var j) && j == i && !used.Contains(name)) sinks.Add(name);
        }

        return sinks;
    }

    /// <summary>Kahn's algorithm over names; what cannot be ordered lies on or behind a cycle, reported with its path.</summary>
    private static List<int> TopologicalOrder(IReadOnlyList<NodeDefinition> nodes, string[][] args, Dictionary<string, int> byName, List<ValidationProblem> problems)
    {
        var n = nodes.Count;
        var pending = new int[n];
        var dependents = new List<int>[n];
        for (var i = 0; i < n; i++) dependents[i] = [];
        for (var i = 0; i < n; i++)
        {
            if (nodes[i] is null || !byName.TryGetValue(nodes[i].Name ?? "", out var self) || self != i) continue;
            foreach (var a in args[i])
            {
                if (!byName.TryGetValue(a, out var j)) continue;
                pending[i]++;
                dependents[j].Add(i);
            }
        }

        // A min-heap on the position keeps the user's order wherever dependencies allow.
        var ready = new PriorityQueue<int, int>();
        for (var i = 0; i < n; i++)
        {
            if (pending[i] == 0 && nodes[i] is not null && byName.TryGetValue(nodes[i].Name ?? "", out var s) && s == i) ready.Enqueue(i, i);
        }

        var order = new List<int>(n);
        while (ready.TryDequeue(out var i, out _))
        {
            order.Add(i);
            foreach (var d in dependents[i])
            {
                if (--pending[d] == 0) ready.Enqueue(d, d);
            }
        }

        var stuck = Enumerable.Range(0, n).Where(i => pending[i] > 0).ToHashSet();
        if (stuck.Count > 0) ReportCycles(nodes, args, byName, stuck, problems);
        return order;
    }

    private static void ReportCycles(IReadOnlyList<NodeDefinition> nodes, string[][] args, Dictionary<string, int> byName, HashSet<int> stuck,
        List<ValidationProblem> problems)
    {
        // Iterative DFS over the stuck nodes; every back edge closes a cycle, reported once per set of nodes.
        var color = new byte[nodes.Count];
        var reported = new HashSet<string>(StringComparer.Ordinal);
        var cycles = 0;
        foreach (var start in stuck.Order())
        {
            if (color[start] != 0) continue;
            var path = new List<int>();
            var stack = new Stack<(int Node, int Next)>();
            stack.Push((start, 0));
            color[start] = 1;
            path.Add(start);
            while (stack.Count > 0)
            {
                var (node, next) = stack.Pop();
                if (next < args[node].Length)
                {
                    stack.Push((node, next + 1));
                    if (!byName.TryGetValue(args[node][next], out var arg) || !stuck.Contains(arg)) continue;
                    if (color[arg] == 1)
                    {
                        var at = path.IndexOf(arg);
                        // path[k] depends on path[k + 1]; the back edge closes it.
                        var cycle = path.Skip(at).Append(arg).Select(i => nodes[i].Name).ToList();
                        var key = string.Join("|", cycle.Skip(1).Order(StringComparer.Ordinal));
                        if (reported.Add(key) && cycles++ < MaxCycles)
                        {
                            problems.Add(new("Cycle", $"Cycle: {string.Join(" -> ", cycle)} (each node depends on the next).", Node: nodes[arg].Name));
                        }
                    }
                    else if (color[arg] == 0)
                    {
                        color[arg] = 1;
                        path.Add(arg);
                        stack.Push((arg, 0));
                    }
                }
                else
                {
                    color[node] = 2;
                    path.RemoveAt(path.Count - 1);
                }
            }
        }
    }
}
