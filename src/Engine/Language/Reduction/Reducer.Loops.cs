using VoxScheduler.Dag;
using VoxScheduler.Language.Syntax;
using VoxScheduler.Operations.Builtins;

namespace VoxScheduler.Language.Reduction;

internal sealed partial class Reducer
{
    /// <summary>
    /// <c>for</c>/<c>filter</c>/<c>map</c>: unrolled when the sequence is a <c>default.sequence</c>
    /// node (its items are known now), otherwise one <c>default.for_each</c> node that the
    /// scheduler expands when the sequence is known (see <see cref="LoopTemplate"/>).
    /// </summary>
    private RValue Loop(bool isFilter, string variable, int sequence, Func<RValue, Env, RValue> body, SourcePosition position, Env env)
    {
        var seqNode = _builder[sequence];
        if (seqNode.Kind == NodeKind.Operation && seqNode.Operator == BuiltinNames.Sequence)
        {
            var items = seqNode.Arguments;
            var results = new int[items.Length];
            for (var i = 0; i < items.Length; i++)
            {
                var r = body(RValue.Of(items[i]), env);
                if (!r.IsNode) return RValue.Poison;
                results[i] = r.Node;
            }

            var mapped = Node(BuiltinNames.Sequence, results, env, position);
            return isFilter && mapped.IsNode ? Node(BuiltinNames.Where, [sequence, mapped.Node], env, position) : mapped;
        }

        // Run-time loop: reduce the body once with the variable bound to a placeholder node,
        // then lift the nodes that depend on it into a template.
        _loopDepth++;
        RValue result;
        int placeholder;
        try
        {
            var loopVar = Lookup(BuiltinNames.LoopVariable);
            if (loopVar is null)
            {
                return Error(env, position, "UnknownOperation", $"operation '{BuiltinNames.LoopVariable}' is not registered in this engine");
            }

            placeholder = _builder.Operation(loopVar.Name, loopVar.Revision, ReadOnlySpan<int>.Empty,
                new Dictionary<string, object?> { ["depth"] = _loopDepth });
            result = body(RValue.Of(placeholder), env);
        }
        finally
        {
            _loopDepth--;
        }

        if (!result.IsNode)
        {
            return RValue.Poison;
        }

        var (template, captures) = LoopTemplate.Extract(_builder, placeholder, result.Node);
        var args = new int[captures.Count + 1];
        args[0] = sequence;
        var captureIds = new List<object?>(captures.Count);
        for (var i = 0; i < captures.Count; i++)
        {
            args[i + 1] = captures[i];
            captureIds.Add(_builder[captures[i]].Id.ToString());
        }

        var attributes = new Dictionary<string, object?>
        {
            [ForEachOperation.VariableAttribute] = variable,
            [ForEachOperation.ModeAttribute] = isFilter ? "filter" : "map",
            [ForEachOperation.BodyAttribute] = template,
            [ForEachOperation.CapturesAttribute] = captureIds,
        };
        return Node(BuiltinNames.ForEach, args, env, position, attributes);
    }
}
