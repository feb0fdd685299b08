using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using VoxScheduler.Dag;
using VoxScheduler.Language.Syntax;
using VoxScheduler.Operations;

namespace VoxScheduler.Language.Reduction;

/// <summary>
/// Reduces parsed programs to a DAG (docs/language.md §4–5): every expression becomes a node of one
/// <see cref="DagBuilder"/> (hash-consed), user functions are applied by reducing their body
/// with the parameters bound to argument nodes (memoized by argument nodes), loops over
/// sequences known now are unrolled, other loops become one expandable node.
/// Errors go to the diagnostics with file:line:col and the call chain; the expression that
/// failed reduces to poison so one mistake is reported once.
/// <para>
/// Why one partial class over 900 lines: reduction is one recursive walk, and every part of it
/// (expressions here; Builtins, Check, Commands, Loops and Parameters beside it) calls back into
/// the same walk and shares its state: the builder and its node cache, the diagnostics with the
/// call chain, the import stack, the loop depth and the compile budget checked on every step.
/// Splitting it into objects would pass that state around on every call of the hottest path of
/// compilation without making any part understandable alone; each file holds one concern.
/// </para>
/// </summary>
internal sealed partial class Reducer
{
    /// <summary>Deepest chain of user-function applications.</summary>
    public const int MaxCallDepth = 10_000;

    /// <summary>Longest <c>range</c> with constant bounds that is expanded while reducing.</summary>
    public const int MaxStaticRange = 100_000;

    private readonly DagBuilder _builder;
    private readonly NodeCache _nodes;
    private readonly OperationRegistry _operations;
    private readonly Diagnostics _diagnostics;
    private readonly CompileOptions _options;
    private readonly CompileBudget _budget;
    private readonly HashSet<string> _namespaces;
    private readonly Dictionary<string, Operation?> _operationCache = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FileScope> _importedFiles = new(StringComparer.Ordinal);
    private readonly List<string> _importStack = [];
    private readonly List<BinaryExpr> _spine = [];
    private readonly List<CallFrame> _calls = [];
    private int _serial;
    private int _loopDepth;
    private bool _stackExhaustedReported;

    public Reducer(DagBuilder builder, OperationRegistry operations, Diagnostics diagnostics, CompileOptions options, CompileBudget budget, int expectedNodes = 0)
    {
        _budget = budget;
        _builder = builder;
        _nodes = new NodeCache(builder, expectedNodes);
        _operations = operations;
        _diagnostics = diagnostics;
        _options = options;
        _namespaces = new HashSet<string>(operations.Namespaces, StringComparer.Ordinal);
    }

    private RValue Error(Env env, SourcePosition position, string code, string message)
    {
        _diagnostics.Add(code, env.File.DisplayName, position, message, CallFrame.Describe(_calls));
        return RValue.Poison;
    }

    /// <summary>Reduces an expression that must be a value (not a function).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per program: no time to tier up
    private RValue ReduceNode(Expr e, Env env)
    {
        var v = Reduce(e, env);
        if (v.IsNode || v.IsPoison)
        {
            return v;
        }

        return Error(env, e.Position, "FunctionAsValue", $"{DescribeCallable(e, v)} is a function and cannot be used as a value; call it with arguments");
    }

    private static string DescribeCallable(Expr e, RValue v) => e is NameExpr n
        ? $"'{n.Name}'"
        : v.Callable is FunctionValue f ? $"'{f.Name}'" : "this expression";

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per program: no time to tier up
    private RValue Reduce(Expr e, Env env)
    {
        _budget.Step(_builder.Count, env.File.DisplayName, e.Position);
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            if (!_stackExhaustedReported)
            {
                _stackExhaustedReported = true;
                Error(env, e.Position, "TooDeep", "expression nested too deeply to reduce (simplify it or split it into declarations)");
            }

            return RValue.Poison;
        }

        switch (e)
        {
            case NumberExpr n:
                return RValue.Of(_nodes.Constant(n.Value));
            case StringExpr s:
                return RValue.Of(_nodes.Constant(s.Value));
            case BoolExpr b:
                return RValue.Of(_nodes.Constant(b.Value));
            case NameExpr n:
                return BareName(ResolveName(n.Name, n.Position, env), n.Position, env);
            case BinaryExpr b:
                return ReduceBinaryChain(b, env);
            case PrefixExpr p:
            {
                var operand = ReduceNode(p.Operand, env);
                return operand.IsNode ? ApplyOperator(p.Operator, [operand.Node], p.Position, env) : RValue.Poison;
            }

            case CallExpr c:
                return ReduceCall(c, env);
            case ArrayExpr a:
            {
                var items = new int[a.Items.Count];
                for (var i = 0; i < items.Length; i++)
                {
                    var item = ReduceNode(a.Items[i], env);
                    if (!item.IsNode) return RValue.Poison;
                    items[i] = item.Node;
                }

                return Node(BuiltinNames.Sequence, items, env, a.Position);
            }

            case IndexExpr ix:
            {
                var target = ReduceNode(ix.Target, env);
                var index = ReduceNode(ix.Index, env);
                return target.IsNode && index.IsNode ? Node(BuiltinNames.Index, [target.Node, index.Node], env, ix.Position) : RValue.Poison;
            }

            case SliceExpr sl:
            {
                var target = ReduceNode(sl.Target, env);
                var start = sl.Start is null ? RValue.Of(_nodes.Constant(0d)) : ReduceNode(sl.Start, env);
                var stop = sl.Stop is null ? RValue.Of(_nodes.Null()) : ReduceNode(sl.Stop, env);
                return target.IsNode && start.IsNode && stop.IsNode
                    ? Node(BuiltinNames.Slice, [target.Node, start.Node, stop.Node], env, sl.Position)
                    : RValue.Poison;
            }

            case LetExpr l:
            {
                var value = ReduceNode(l.Value, env);
                return value.IsPoison ? value : Reduce(l.Body, env with { Locals = new LocalScope(l.Name, value, env.Locals) });
            }

            case ForExpr f:
                return ReduceFor(f, env);

            case FoldExpr fe:
                return ReduceFold(fe, env);
            default:
                throw new InvalidOperationException($"Unknown expression {e.GetType().Name}.");
        }
    }

    // A method of its own: a lambda inside Reduce would make every Reduce call allocate its closure.
    private RValue ReduceFor(ForExpr f, Env env)
    {
        var seq = ReduceNode(f.Sequence, env);
        if (!seq.IsNode) return RValue.Poison;
        return Loop(f.IsFilter, f.Variable, seq.Node, (item, e2) => ReduceNode(f.Body, e2 with { Locals = new LocalScope(f.Variable, item, e2.Locals) }), f.Position, env);
    }

    /// <summary>Left-associative chains are reduced with a loop down the left spine: a 50,000-term sum costs no recursion.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per program: no time to tier up
    private RValue ReduceBinaryChain(BinaryExpr b, Env env)
    {
        if (b.Left is not BinaryExpr)
        {
            var l = ReduceNode(b.Left, env);
            var r = ReduceNode(b.Right, env);
            return l.IsNode && r.IsNode ? ApplyOperator(b.Operator, [l.Node, r.Node], b.Position, env) : RValue.Poison;
        }

        // The spine list is shared by nested chains (a right operand may hold its own chain); each works above its base.
        var spineBase = _spine.Count;
        Expr current = b;
        while (current is BinaryExpr bin)
        {
            _spine.Add(bin);
            current = bin.Left;
        }

        var left = ReduceNode(current, env);
        while (_spine.Count > spineBase)
        {
            var op = _spine[^1];
            _spine.RemoveAt(_spine.Count - 1);
            var right = ReduceNode(op.Right, env);
            if (!left.IsNode || !right.IsNode)
            {
                left = RValue.Poison;
                continue;
            }

            left = ApplyOperator(op.Operator, [left.Node, right.Node], op.Position, env);
        }

        return left;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per program: no time to tier up
    private RValue ApplyOperator(string symbol, ReadOnlySpan<int> args, SourcePosition position, Env env)
    {
        var (function, builtin) = ResolveOperator(symbol, args.Length, position, env);
        if (function is not null)
        {
            return CallFunction(function, args.ToArray(), position, env);
        }

        return builtin is null ? RValue.Poison : Node(builtin, args, env, position);
    }

    /// <summary>A user-declared operator of that arity, else the default namespace's; reports when neither exists.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per program: no time to tier up
    private (FunctionValue? Function, string? Builtin) ResolveOperator(string symbol, int arity, SourcePosition position, Env env)
    {
        if (env.File.TryLookup(symbol, env.Serial, out var user) && user.Callable is FunctionValue f)
        {
            if (f.Arity != arity)
            {
                Error(env, position, "WrongArity",
                    $"operator '{symbol}' is declared with {f.Arity} operand{(f.Arity == 1 ? "" : "s")} but is used with {arity}");
                return (null, null);
            }

            return (f, null);
        }

        var name = arity == 2 ? BuiltinNames.Binary(symbol) : arity == 1 ? BuiltinNames.Prefix(symbol) : null;
        if (name is null)
        {
            var usage = arity == 2 ? "an infix" : arity == 1 ? "a prefix" : $"a {arity}-operand";
            Error(env, position, "UnboundName", $"unknown operator '{symbol}' used as {usage} operator");
        }

        return (null, name);
    }

    /// <summary>An operation node over argument nodes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per program: no time to tier up
    private RValue Node(string operation, ReadOnlySpan<int> args, Env env, SourcePosition position, IReadOnlyDictionary<string, object?>? attributes = null)
    {
        var op = Lookup(operation);
        if (op is null)
        {
            return Error(env, position, "UnknownOperation", $"operation '{operation}' is not registered in this engine");
        }

        try
        {
            return RValue.Of(_nodes.Operation(op.Name, op.Revision, args, attributes));
        }
        catch (ArgumentException e) when (attributes is not null)
        {
            // Attributes too deep for canonical JSON (loops nested dozens of levels deep).
            return Error(env, position, "TooDeep", $"cannot build this node: {e.Message}");
        }
    }

    private Operation? Lookup(string qualified)
    {
        if (!_operationCache.TryGetValue(qualified, out var op))
        {
            _operations.TryGet(qualified, out op);
            _operationCache[qualified] = op;
        }

        return op;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per program: no time to tier up
    private RValue ResolveName(string name, SourcePosition position, Env env)
    {
        if (name[0] == '$')
        {
            if (env.File.ProgramVariables.TryGetValue(name, out var text))
            {
                return RValue.Of(_nodes.Constant(text));
            }

            return Error(env, position, "UnboundName", $"unknown program variable '{name}' (known: $file, $stem, $dir, $cwd)");
        }

        if (LocalScope.TryFind(env.Locals, name, out var local))
        {
            return local;
        }

        var dot = name.IndexOf('.');
        if (dot > 0)
        {
            var ns = name[..dot];
            if (!_namespaces.Contains(ns))
            {
                return Error(env, position, "UnknownNamespace", $"unknown namespace '{ns}' in '{name}'");
            }

            var op = Lookup(name);
            if (op is null || BuiltinNames.Internal.Contains(name))
            {
                return Error(env, position, "UnboundName", $"namespace '{ns}' has no operation '{name[(dot + 1)..]}'");
            }

            return new RValue(-1, new BuiltinValue(op));
        }

        if (env.File.TryLookup(name, env.Serial, out var global))
        {
            return global;
        }

        var builtin = LookupUnqualified(name, env);
        if (builtin is not null)
        {
            return new RValue(-1, new BuiltinValue(builtin));
        }

        return Error(env, position, "UnboundName", $"unbound name '{name}'");
    }

    /// <summary>The default namespace, then imported namespaces in import order.</summary>
    private Operation? LookupUnqualified(string name, Env env)
    {
        var qualified = "default." + name;
        var op = Lookup(qualified);
        if (op is not null && !BuiltinNames.Internal.Contains(qualified))
        {
            return op;
        }

        foreach (var (ns, serial) in env.File.Namespaces)
        {
            if (serial >= env.Serial) break;
            op = Lookup(ns + "." + name);
            if (op is not null && !BuiltinNames.Internal.Contains(op.Name))
            {
                return op;
            }
        }

        return null;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per program: no time to tier up
    private RValue ReduceCall(CallExpr c, Env env)
    {
        if (c.IsOperator)
        {
            var operands = ReduceArguments(c.Arguments, env);
            return operands is null ? RValue.Poison : ApplyOperator(c.Callee, operands, c.Position, env);
        }

        var callee = ResolveName(c.Callee, c.Position, env);
        if (callee.IsPoison)
        {
            return callee;
        }

        switch (callee.Callable)
        {
            case null:
                return Error(env, c.Position, "CallingValue", $"'{c.Callee}' is a value, not a function, and cannot be called");
            case FunctionValue f:
            {
                if (f.Arity != c.Arguments.Count)
                {
                    return Error(env, c.Position, "WrongArity",
                        $"'{f.Name}' takes {f.Arity} argument{(f.Arity == 1 ? "" : "s")}, not {c.Arguments.Count}");
                }

                var args = ReduceArguments(c.Arguments, env);
                return args is null ? RValue.Poison : CallFunction(f, args, c.Position, env);
            }

            case BuiltinValue b:
                return CallBuiltin(b.Operation, c, env);
            default:
                return RValue.Poison;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per program: no time to tier up
    private int[]? ReduceArguments(IReadOnlyList<Expr> arguments, Env env)
    {
        var args = new int[arguments.Count];
        var ok = true;
        for (var i = 0; i < args.Length; i++)
        {
            var v = ReduceNode(arguments[i], env);
            ok &= v.IsNode;
            args[i] = v.Node;
        }

        return ok ? args : null;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per program: no time to tier up
    private RValue CallFunction(FunctionValue f, int[] args, SourcePosition callSite, Env env)
    {
        if (f.Invalid)
        {
            return RValue.Poison;
        }

        // A body without a load of its own takes its caller's base, so the base is part of the key (IMAGES.md §3).
        var hasOwnBase = BodyLoad(f) is not null;
        var callerBase = env.Base ?? env.File.TopBase;
        var key = new ArgumentKey(args, hasOwnBase ? 0 : callerBase?.Id ?? 0);
        if (f.Memo.TryGetValue(key, out var memo))
        {
            return memo;
        }

        if (_calls.Count >= MaxCallDepth)
        {
            return Error(env, callSite, "TooDeep", $"function applications nested more than {MaxCallDepth} deep");
        }

        LocalScope? locals = null;
        var parameters = f.Declaration.Parameters!;
        for (var i = 0; i < args.Length; i++)
        {
            locals = new LocalScope(parameters[i], RValue.Of(args[i]), locals);
        }

        // The call chain is a stack of structs, not a frame object per application: reduction is
        // synchronous, so the frames of the calls being reduced are exactly the stack.
        _calls.Add(new CallFrame(f.Name, env.File.DisplayName, callSite));
        RValue result;
        try
        {
            var bodyEnv = new Env(locals, f.Scope, f.Serial);
            result = ReduceNode(f.Declaration.Body, bodyEnv with { Base = hasOwnBase ? OwnBaseScope(f, bodyEnv) : callerBase });
        }
        finally
        {
            _calls.RemoveAt(_calls.Count - 1);
        }

        f.Memo[key] = result;
        return result;
    }

}
