using VoxScheduler.Language.Syntax;
using VoxScheduler.Operations;

namespace VoxScheduler.Language.Reduction;

/// <summary>
/// The base-image rule of IMAGES.md §3 applied while reducing: bare <c>tt</c>, <c>ff</c>,
/// <c>bconstant(b)</c>, <c>constant(k)</c>, <c>border</c>, <c>x</c>, <c>y</c>, <c>z</c> get the base
/// in scope as their last argument.
/// </summary>
internal sealed partial class Reducer
{
    private readonly Dictionary<Declaration, (CallExpr Load, HashSet<string> Inner)?> _bodyLoads = [];
    private int _baseScopes;

    /// <summary>True when <paramref name="op"/> is a base form called with its arguments but without the base.</summary>
    private static bool IsBareForm(Operation op, int argumentCount) => op.BaseFormArity >= 0 && op.BaseFormArity == argumentCount;

    /// <summary>A name that resolved to a base form used as a value (bare <c>tt</c>) becomes the form's node.</summary>
    private RValue BareName(RValue resolved, SourcePosition position, Env env) =>
        resolved.Callable is BuiltinValue b && IsBareForm(b.Operation, 0) ? BareNode(b.Operation, [], position, env) : resolved;

    private RValue BareNode(Operation op, int[] args, SourcePosition position, Env env)
    {
        var scope = env.Base ?? env.File.TopBase;
        var found = scope?.Resolve();
        if (found is not { } image)
        {
            return Error(env, position, "NoBaseImage",
                $"'{op.ShortName}' needs a base image for its shape and no load is in scope here; pass one explicitly: {op.ShortName}({(args.Length > 0 ? "…, " : "")}image)");
        }

        if (!image.IsNode) return RValue.Poison;
        return Node(op.Name, [.. args, image.Node], env, position);
    }

    /// <summary>The first load of a function body and the names the body binds itself (scanned once per declaration), or null.</summary>
    private (CallExpr Load, HashSet<string> Inner)? BodyLoad(FunctionValue f)
    {
        if (!_bodyLoads.TryGetValue(f.Declaration, out var found))
        {
            var inner = new HashSet<string>(StringComparer.Ordinal);
            var load = FirstLoad(f.Declaration.Body, inner);
            found = load is null ? null : (load, inner);
            _bodyLoads[f.Declaration] = found;
        }

        return found;
    }

    /// <summary>The base scope of a function body with a load of its own (see <see cref="BodyLoad"/>).</summary>
    private BaseScope OwnBaseScope(FunctionValue f, Env bodyEnv)
    {
        var (call, names) = BodyLoad(f)!.Value;
        return new BaseScope(++_baseScopes, call, () => CanReduceNow(call, names, bodyEnv) ? ReduceNode(call, bodyEnv) : null);
    }

    /// <summary>The top-level base scope of a file: the first load of its value declarations and goals, in source order.</summary>
    private BaseScope? TopBaseScope(List<Command> commands, FileScope scope)
    {
        foreach (var command in commands)
        {
            var e = command switch
            {
                Declaration { IsFunction: false } d => d.Body,
                GoalCommand g => g.Value,
                _ => null,
            };
            if (e is null) continue;
            var inner = new HashSet<string>(StringComparer.Ordinal);
            var load = FirstLoad(e, inner);
            if (load is null) continue;
            var top = new Env(null, scope, int.MaxValue);
            return new BaseScope(++_baseScopes, load, () => CanReduceNow(load, inner, top) ? ReduceNode(load, top) : null);
        }

        return null;
    }

    /// <summary>
    /// The first <c>load(…)</c> call in source order, outside loop bodies (a load in a run-time
    /// loop body has no single value); collects the names the expression binds itself (let, for).
    /// </summary>
    private static CallExpr? FirstLoad(Expr root, HashSet<string> inner)
    {
        CallExpr? first = null;
        var stack = new Stack<Expr>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var e = stack.Pop();
            switch (e)
            {
                case CallExpr c:
                    if (first is null && !c.IsOperator && c.Callee is "load" or "default.load" && c.Arguments.Count == 1) first = c;
                    for (var i = c.Arguments.Count - 1; i >= 0; i--) stack.Push(c.Arguments[i]);
                    break;
                case BinaryExpr b:
                    stack.Push(b.Right);
                    stack.Push(b.Left);
                    break;
                case PrefixExpr p:
                    stack.Push(p.Operand);
                    break;
                case ArrayExpr a:
                    for (var i = a.Items.Count - 1; i >= 0; i--) stack.Push(a.Items[i]);
                    break;
                case IndexExpr ix:
                    stack.Push(ix.Index);
                    stack.Push(ix.Target);
                    break;
                case SliceExpr sl:
                    if (sl.Stop is not null) stack.Push(sl.Stop);
                    if (sl.Start is not null) stack.Push(sl.Start);
                    stack.Push(sl.Target);
                    break;
                case LetExpr l:
                    inner.Add(l.Name);
                    stack.Push(l.Body);
                    stack.Push(l.Value);
                    break;
                case ForExpr f:
                    inner.Add(f.Variable);
                    stack.Push(f.Sequence); // the body is a loop body: not searched
                    break;
                case FoldExpr fe:
                    stack.Push(fe.Sequence);
                    if (fe.Init is not null) stack.Push(fe.Init);
                    break;
            }

            if (first is not null) break;
        }

        return first;
    }

    /// <summary>True when every name in <paramref name="load"/> resolves in <paramref name="env"/> now (none is bound inside the body).</summary>
    private bool CanReduceNow(CallExpr load, HashSet<string> inner, Env env)
    {
        var stack = new Stack<Expr>();
        foreach (var a in load.Arguments) stack.Push(a);
        while (stack.Count > 0)
        {
            switch (stack.Pop())
            {
                case NameExpr n:
                    if (inner.Contains(n.Name)) return false;
                    if (n.Name[0] == '$' || n.Name.Contains('.') || LocalScope.TryFind(env.Locals, n.Name, out _)) break;
                    if (env.File.TryLookup(n.Name, env.Serial, out _) || LookupUnqualified(n.Name, env) is not null) break;
                    return false;
                case CallExpr c:
                    if (!c.IsOperator && inner.Contains(c.Callee)) return false;
                    foreach (var a in c.Arguments) stack.Push(a);
                    break;
                case BinaryExpr b:
                    stack.Push(b.Left);
                    stack.Push(b.Right);
                    break;
                case PrefixExpr p:
                    stack.Push(p.Operand);
                    break;
                case ArrayExpr a:
                    foreach (var item in a.Items) stack.Push(item);
                    break;
                case IndexExpr ix:
                    stack.Push(ix.Target);
                    stack.Push(ix.Index);
                    break;
                case LetExpr or ForExpr or FoldExpr or SliceExpr:
                    return false; // rare in a path; reduced where it stands instead
            }
        }

        return true;
    }
}
