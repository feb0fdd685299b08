namespace VoxScheduler.Dag;

/// <summary>
/// Checks a DAG before anything runs and reports every problem at once as one
/// <see cref="ValidationException"/>: unknown operations, wrong arity, arguments that do not
/// precede their node, goals that point nowhere. (Cycles, missing dependencies and duplicate
/// names can only occur in the user-facing <see cref="NodeDefinition"/> form and are reported
/// by <see cref="UserDagCompiler"/>.)
/// </summary>
public static class DagValidator
{
    /// <summary>Most problems listed in one exception; the rest are counted.</summary>
    public const int MaxReportedProblems = 100;

    /// <summary>Validates a built DAG against the operations available.</summary>
    /// <exception cref="ValidationException">Every problem found.</exception>
    public static void Validate(DagDefinition dag, IOperatorResolver operations) => _ = Resolve<IOperatorSignature>(dag, operations);

    /// <summary>
    /// Validates and returns the operator of every node (null for constants and external
    /// references), so the scheduler looks each operator up once. An operator the resolver
    /// knows but that is not a <typeparamref name="TOperator"/> counts as unknown.
    /// </summary>
    internal static TOperator?[] Resolve<TOperator>(DagDefinition dag, IOperatorResolver operations)
        where TOperator : class, IOperatorSignature
    {
        ArgumentNullException.ThrowIfNull(dag);
        ArgumentNullException.ThrowIfNull(operations);
        var problems = new List<ValidationProblem>();
        var hidden = 0;
        void Report(ValidationProblem p)
        {
            if (problems.Count < MaxReportedProblems) problems.Add(p);
            else hidden++;
        }

        var nodes = dag.Nodes;
        var resolved = new TOperator?[nodes.Count];
        // Consecutive nodes very often share an operator: remembering the last lookup avoids a
        // dictionary probe per node on million-node DAGs.
        string? lastName = null;
        TOperator? last = null;
        for (var i = 0; i < nodes.Count; i++)
        {
            var node = nodes[i];
            if (node.Index != i)
            {
                Report(new("InvalidNode", $"Node at position {i} says it is node {node.Index}.", Node: Describe(dag, i)));
                continue;
            }

            foreach (var a in node.Arguments)
            {
                if (a < 0 || a >= i)
                {
                    Report(new("MissingDependency", $"Node {Describe(dag, i)} refers to argument #{a}, which does not precede it.", Node: Describe(dag, i)));
                }
            }

            if (node.Kind != NodeKind.Operation)
            {
                continue;
            }

            TOperator? op;
            if (ReferenceEquals(node.Operator, lastName) || node.Operator == lastName)
            {
                op = last;
            }
            else
            {
                op = operations.TryResolve(node.Operator, out var found) ? found as TOperator : null;
                lastName = node.Operator;
                last = op;
            }

            if (op is null)
            {
                Report(new("UnknownOperation", $"Node {Describe(dag, i)} uses the unknown operation '{node.Operator}'.", Node: Describe(dag, i)));
                continue;
            }

            if (op.Revision != node.Revision)
            {
                Report(new("RevisionMismatch",
                    $"Node {Describe(dag, i)} was built for revision {node.Revision} of '{op.Name}', but revision {op.Revision} is registered.",
                    Node: Describe(dag, i)));
            }

            if (!op.AcceptsArity(node.Arguments.Length))
            {
                Report(new("WrongArity",
                    $"Node {Describe(dag, i)}: '{op.Name}' takes {op.ArityText} argument(s), not {node.Arguments.Length}.",
                    Node: Describe(dag, i)));
            }

            resolved[i] = op;
        }

        foreach (var goal in dag.Goals)
        {
            if ((uint)goal.Node >= (uint)nodes.Count)
            {
                Report(new("InvalidGoal", $"Goal '{goal.Name}' refers to node #{goal.Node}, which does not exist.", Node: goal.Name));
            }
            else if (goal.Kind == GoalKind.Save && string.IsNullOrEmpty(goal.Path))
            {
                Report(new("InvalidGoal", $"Save goal '{goal.Name}' has no path.", Node: goal.Name));
            }
        }

        if (hidden > 0)
        {
            problems.Add(new("TooManyProblems", $"… and {hidden} more problem(s)."));
        }

        if (problems.Count > 0)
        {
            throw new ValidationException(problems);
        }

        return resolved;
    }

    /// <summary>A node as users know it: its label when it has one, else its index and operator.</summary>
    internal static string Describe(DagDefinition dag, int index)
    {
        foreach (var (name, node) in dag.Labels)
        {
            if (node == index) return $"'{name}'";
        }

        return index < dag.Nodes.Count ? $"#{index} ({dag.Nodes[index].Operator})" : $"#{index}";
    }
}
