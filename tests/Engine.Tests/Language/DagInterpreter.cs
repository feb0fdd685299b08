using VoxScheduler.Dag;
using VoxScheduler.Operations;

namespace VoxScheduler.Tests.Language;

/// <summary>
/// A minimal sequential evaluator of a DAG with the built-in operations, including expansions:
/// the reference the tests compare the compiler's output against, independent of the scheduler.
/// </summary>
internal sealed class DagInterpreter(OperationRegistry operations, OperationEnvironment? environment = null)
{
    private readonly Dictionary<NodeId, object?> _values = [];
    private readonly Dictionary<NodeId, Exception> _errors = [];

    public int Expansions { get; private set; }

    public int NodesEvaluated { get; private set; }

    /// <summary>The value of every goal, or the exception that failed it.</summary>
    public List<(DagGoal Goal, object? Value, Exception? Error)> Run(DagDefinition dag)
    {
        var results = new List<(DagGoal, object?, Exception?)>();
        foreach (var goal in dag.Goals)
        {
            try
            {
                results.Add((goal, Evaluate(dag, goal.Node), null));
            }
            catch (Exception e)
            {
                results.Add((goal, null, e));
            }
        }

        return results;
    }

    /// <summary>Evaluates a node: everything it depends on first, in index (topological) order, without recursion.</summary>
    public object? Evaluate(DagDefinition dag, int index)
    {
        var needed = new bool[index + 1];
        var stack = new Stack<int>();
        stack.Push(index);
        needed[index] = true;
        while (stack.Count > 0)
        {
            var n = stack.Pop();
            if (_values.ContainsKey(dag.Nodes[n].Id) || _errors.ContainsKey(dag.Nodes[n].Id)) continue;
            foreach (var a in dag.Nodes[n].Arguments)
            {
                if (!needed[a])
                {
                    needed[a] = true;
                    stack.Push(a);
                }
            }
        }

        for (var i = 0; i <= index; i++)
        {
            if (needed[i]) EvaluateOne(dag, i);
        }

        return EvaluateOne(dag, index);
    }

    private object? EvaluateOne(DagDefinition dag, int index)
    {
        var node = dag.Nodes[index];
        if (_values.TryGetValue(node.Id, out var known)) return known;
        if (_errors.TryGetValue(node.Id, out var failed)) throw failed;
        switch (node.Kind)
        {
            case NodeKind.Constant:
                var constant = Normalize(node.Value);
                _values[node.Id] = constant;
                return constant;
            case NodeKind.External:
                throw new InvalidOperationException($"external node {node.Id} has no value");
        }

        try
        {
            var args = new object?[node.Arguments.Length];
            for (var i = 0; i < args.Length; i++)
            {
                var argId = dag.Nodes[node.Arguments[i]].Id;
                if (_errors.TryGetValue(argId, out var argError)) throw argError;
                args[i] = _values[argId];
            }

            if (!operations.TryGet(node.Operator, out var op)) throw new InvalidOperationException($"unknown operator {node.Operator}");
            var context = new OperationContext(op, node.Id, args, node.Attributes, environment ?? OperationEnvironment.Default, CancellationToken.None);
            var result = op.ExecuteAsync(context).AsTask().GetAwaiter().GetResult();
            NodesEvaluated++;
            object? value;
            if (result.Kind == OperationResultKind.Expansion)
            {
                Expansions++;
                var fragment = result.Fragment!;
                foreach (var n in fragment.Nodes.Where(n => n.Kind == NodeKind.External))
                {
                    if (!_values.ContainsKey(n.Id)) throw new InvalidOperationException($"fragment refers to unknown node {n.Id}");
                }

                value = Evaluate(fragment, result.Root);
            }
            else
            {
                value = result.Value;
            }

            _values[node.Id] = value;
            return value;
        }
        catch (Exception e)
        {
            _errors[node.Id] = e;
            throw;
        }
    }

    private object? Normalize(object? value) => value is List<object?> list ? list.Select(Normalize).ToArray() : value;

    /// <summary>Records values of constants of the outer DAG so externals resolve.</summary>
    public void Remember(NodeId id, object? value) => _values[id] = value;
}
