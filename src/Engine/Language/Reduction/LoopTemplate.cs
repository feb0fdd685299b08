using VoxScheduler.Dag;
using VoxScheduler.Operations.Builtins;

namespace VoxScheduler.Language.Reduction;

/// <summary>
/// Lifts the body of a run-time loop out of the DAG into a canonical template (the format is
/// <see cref="ForEachOperation"/>'s): nodes that depend on the loop variable's placeholder
/// become template operations, constants stay constants, and every other node the body uses
/// becomes a capture (an argument of the loop node, referenced by position).
/// </summary>
internal static class LoopTemplate
{
    public static (List<object?> Template, List<int> Captures) Extract(DagBuilder builder, int placeholder, int result)
    {
        var template = new List<object?>();
        var captures = new List<int>();
        var slot = new Dictionary<int, int>();
        // Nodes created before the placeholder cannot depend on it (arguments precede their node).
        var stack = new Stack<(int Node, bool Expanded)>();
        stack.Push((result, false));
        while (stack.Count > 0)
        {
            var (n, expanded) = stack.Pop();
            if (slot.ContainsKey(n))
            {
                continue;
            }

            var node = builder[n];
            if (n == placeholder)
            {
                slot[n] = Add(template, new Dictionary<string, object?> { [ForEachOperation.ParameterKey] = 0 });
                continue;
            }

            if (n < placeholder || node.Kind != NodeKind.Operation)
            {
                slot[n] = Leaf(template, captures, builder, n);
                continue;
            }

            if (!expanded)
            {
                stack.Push((n, true));
                foreach (var a in node.Arguments)
                {
                    if (!slot.ContainsKey(a)) stack.Push((a, false));
                }

                continue;
            }

            var dependent = false;
            foreach (var a in node.Arguments)
            {
                if (IsDependent(template, slot[a])) dependent = true;
            }

            if (!dependent)
            {
                slot[n] = Leaf(template, captures, builder, n);
                continue;
            }

            var argSlots = new List<object?>(node.Arguments.Length);
            foreach (var a in node.Arguments) argSlots.Add(slot[a]);
            var entry = new Dictionary<string, object?>
            {
                [ForEachOperation.OperatorKey] = node.Operator,
                [ForEachOperation.RevisionKey] = node.Revision,
                [ForEachOperation.ArgumentsKey] = argSlots,
            };
            if (node.Attributes is { Count: > 0 } attrs)
            {
                // An inner loop's captures are recomputed from its instantiated arguments.
                entry[ForEachOperation.AttributesKey] = node.Operator == BuiltinNames.ForEach
                    ? attrs.Where(kv => kv.Key != ForEachOperation.CapturesAttribute).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal)
                    : attrs;
            }

            slot[n] = Add(template, entry);
        }

        return (template, captures);
    }

    private static bool IsDependent(List<object?> template, int slot)
    {
        var entry = (Dictionary<string, object?>)template[slot]!;
        return entry.ContainsKey(ForEachOperation.ParameterKey) || entry.ContainsKey(ForEachOperation.OperatorKey);
    }

    private static int Leaf(List<object?> template, List<int> captures, DagBuilder builder, int n)
    {
        var node = builder[n];
        if (node.Kind == NodeKind.Constant)
        {
            return Add(template, new Dictionary<string, object?> { [ForEachOperation.ConstantKey] = node.Value });
        }

        captures.Add(n);
        return Add(template, new Dictionary<string, object?> { [ForEachOperation.CaptureKey] = captures.Count - 1 });
    }

    private static int Add(List<object?> template, Dictionary<string, object?> entry)
    {
        template.Add(entry);
        return template.Count - 1;
    }
}
