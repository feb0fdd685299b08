using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using VoxScheduler.Dag;
using VoxScheduler.Language.Syntax;
using VoxScheduler.Operations;

namespace VoxScheduler.Language.Reduction;

/// <summary>
/// Reduces parsed programs to a DAG (LANGUAGE.md §4–5): every expression becomes a node of one
/// <see cref="DagBuilder"/> (hash-consed), user functions are applied by reducing their body
/// with the parameters bound to argument nodes (memoized by argument nodes), loops over
/// sequences known now are unrolled, other loops become one expandable node.
/// Errors go to the diagnostics with file:line:col and the call chain; the expression that
/// failed reduces to poison so one mistake is reported once.
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
    private readonly HashSet<string> _namespaces;
    private readonly Dictionary<string, Operation?> _operationCache = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FileScope> _importedFiles = new(StringComparer.Ordinal);
    private readonly List<string> _importStack = [];
    private readonly List<BinaryExpr> _spine = [];
    private int _serial;
    private int _loopDepth;
    private bool _stackExhaustedReported;

    public Reducer(DagBuilder builder, OperationRegistry operations, Diagnostics diagnostics, CompileOptions options)
    {
        _builder = builder;
        _nodes = new NodeCache(builder);
        _operations = operations;
        _diagnostics = diagnostics;
        _options = options;
        _namespaces = new HashSet<string>(operations.Namespaces, StringComparer.Ordinal);
    }

    // ------------------------------------------------------------------ commands

    /// <summary>Reduces the commands of the main program, adding its goals.</summary>
    public void ReduceProgram(List<Command> commands, FileScope scope)
    {
        if (scope.Path is not null)
        {
            _importStack.Add(scope.Path);
        }

        ReduceCommands(commands, scope, isMain: true);
    }

    private void ReduceCommands(List<Command> commands, FileScope scope, bool isMain)
    {
        var top = new Env(null, scope, int.MaxValue, null);
        foreach (var command in commands)
        {
            switch (command)
            {
                case Declaration d:
                    Declare(d, scope, isMain);
                    break;
                case GoalCommand g when isMain:
                    AddGoal(g, top);
                    break;
                case GoalCommand:
                    break; // goals of imported files are not goals of the importer
                case ImportCommand i:
                    Import(i, scope);
                    break;
            }
        }
    }

    private void Declare(Declaration d, FileScope scope, bool isMain)
    {
        var top = new Env(null, scope, int.MaxValue, null);
        if (d.Name.StartsWith('$'))
        {
            Error(top, d.NamePosition, "ReservedName", $"'{d.Name}' is a program variable; program variables ($file, $stem, $dir, $cwd) cannot be declared");
            return;
        }

        if (d.IsFunction)
        {
            var serial = ++_serial;
            var function = new FunctionValue(d, scope, serial);
            function.Invalid = !CheckFunctionBody(function);
            scope.Bind(d.Name, new RValue(-1, function), serial);
            return;
        }

        var value = ReduceNode(d.Body, top);
        scope.Bind(d.Name, value, ++_serial);
        if (isMain && value.IsNode)
        {
            _builder.TryLabel(d.Name, value.Node);
        }
    }

    private void AddGoal(GoalCommand g, Env env)
    {
        var value = ReduceNode(g.Value, env);
        if (!value.IsNode)
        {
            return;
        }

        if (!g.IsSave)
        {
            _builder.AddGoal(new DagGoal(g.Target, GoalKind.Print, value.Node));
            return;
        }

        string full;
        try
        {
            full = Path.GetFullPath(Path.Combine(_options.WorkingDirectory, g.Target));
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            Error(env, g.Position, "InvalidPath", $"'{g.Target}' is not a valid path: {e.Message}");
            return;
        }

        if (!_options.AllowWritesOutsideOutputRoot)
        {
            var root = Path.GetFullPath(_options.OutputRoot ?? _options.WorkingDirectory);
            var relative = Path.GetRelativePath(root, full);
            if (relative == ".." || relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                || relative.StartsWith("../", StringComparison.Ordinal) || Path.IsPathRooted(relative) || relative == ".")
            {
                Error(env, g.Position, "PathOutsideOutputRoot",
                    $"save \"{g.Target}\" would write {full}, outside the output root {root}; allow writes outside the output root to do this");
                return;
            }
        }

        _builder.AddGoal(new DagGoal(g.Target, GoalKind.Save, value.Node, full));
    }

    private void Import(ImportCommand i, FileScope scope)
    {
        var env = new Env(null, scope, int.MaxValue, null);
        if (_namespaces.Contains(i.Name))
        {
            scope.Namespaces.Add((i.Name, ++_serial));
            return;
        }

        var candidates = new List<string>();
        var baseDir = scope.Path is not null ? Path.GetDirectoryName(scope.Path)! : _options.WorkingDirectory;
        var folders = new List<string> { baseDir };
        folders.AddRange(_options.LibraryPaths);
        string? found = null;
        foreach (var folder in folders)
        {
            foreach (var name in Path.HasExtension(i.Name) ? [i.Name] : new[] { i.Name, i.Name + ".imgql" })
            {
                string candidate;
                try
                {
                    candidate = Path.GetFullPath(Path.Combine(folder, name));
                }
                catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
                {
                    continue;
                }

                candidates.Add(candidate);
                if (found is null && File.Exists(candidate))
                {
                    found = candidate;
                }
            }

            if (found is not null) break;
        }

        if (found is null)
        {
            var known = string.Join(", ", _namespaces.Where(n => n != "default").Order(StringComparer.Ordinal));
            Error(env, i.NamePosition, "MissingImport",
                $"cannot import \"{i.Name}\": it is not a namespace ({known}) and no file was found (looked for {string.Join(", ", candidates.Distinct())})");
            return;
        }

        var cycleStart = _importStack.IndexOf(found);
        if (cycleStart >= 0)
        {
            var cycle = string.Join(" -> ", _importStack.Skip(cycleStart).Append(found).Select(Path.GetFileName));
            Error(env, i.NamePosition, "CyclicImport", $"import cycle: {cycle}");
            return;
        }

        if (!_importedFiles.TryGetValue(found, out var imported))
        {
            string text;
            try
            {
                text = File.ReadAllText(found);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Error(env, i.NamePosition, "MissingImport", $"cannot read \"{found}\": {e.Message}");
                return;
            }

            imported = CreateFileScope(found, found);
            var commands = ParseGuarded(text, found);
            _importStack.Add(found);
            ReduceCommands(commands, imported, isMain: false);
            _importStack.RemoveAt(_importStack.Count - 1);
            _importedFiles.Add(found, imported);
        }

        var serial = ++_serial;
        foreach (var (name, value) in imported.Exports())
        {
            scope.Bind(name, value, serial);
        }

        scope.Namespaces.AddRange(imported.Namespaces.Select(n => (n.Namespace, serial)));
    }

    private List<Command> ParseGuarded(string text, string file) => Parser.ParseProgram(text, file, _diagnostics);

    /// <summary>A file scope with its program variables.</summary>
    public FileScope CreateFileScope(string displayName, string? path)
    {
        var scope = new FileScope(displayName, path);
        scope.ProgramVariables["$file"] = path is null ? string.Empty : Path.GetFileName(path);
        scope.ProgramVariables["$stem"] = path is null ? string.Empty : Path.GetFileNameWithoutExtension(path);
        scope.ProgramVariables["$dir"] = path is null ? _options.WorkingDirectory : Path.GetDirectoryName(path) ?? string.Empty;
        scope.ProgramVariables["$cwd"] = _options.WorkingDirectory;
        return scope;
    }

    // ------------------------------------------------------------------ expressions

    private RValue Error(Env env, SourcePosition position, string code, string message)
    {
        _diagnostics.Add(code, env.File.DisplayName, position, message, CallFrame.Describe(env.Calls));
        return RValue.Poison;
    }

    /// <summary>Reduces an expression that must be a value (not a function).</summary>
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

    private RValue Reduce(Expr e, Env env)
    {
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
                return ResolveName(n.Name, n.Position, env);
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

    private RValue CallFunction(FunctionValue f, int[] args, SourcePosition callSite, Env env)
    {
        if (f.Invalid)
        {
            return RValue.Poison;
        }

        var key = new ArgumentKey(args);
        if (f.Memo.TryGetValue(key, out var memo))
        {
            return memo;
        }

        if (env.Calls is { Depth: >= MaxCallDepth })
        {
            return Error(env, callSite, "TooDeep", $"function applications nested more than {MaxCallDepth} deep");
        }

        LocalScope? locals = null;
        var parameters = f.Declaration.Parameters!;
        for (var i = 0; i < args.Length; i++)
        {
            locals = new LocalScope(parameters[i], RValue.Of(args[i]), locals);
        }

        var inner = new Env(locals, f.Scope, f.Serial, new CallFrame(f.Name, env.File.DisplayName, callSite, env.Calls));
        var result = ReduceNode(f.Declaration.Body, inner);
        f.Memo[key] = result;
        return result;
    }

    private RValue CallBuiltin(Operation op, CallExpr c, Env env)
    {
        if (!op.AcceptsArity(c.Arguments.Count))
        {
            return Error(env, c.Position, "WrongArity", $"'{c.Callee}' ({op.Name}) takes {op.ArityText} argument{(op.ArityText == "1" ? "" : "s")}, not {c.Arguments.Count}");
        }

        switch (op.Name)
        {
            case BuiltinNames.Map:
                return ReduceMap(c, env);
            case BuiltinNames.Range:
            {
                var args = ReduceArguments(c.Arguments, env);
                return args is null ? RValue.Poison : StaticRange(args) ?? Node(op.Name, args, env, c.Position);
            }

            case BuiltinNames.Load:
            {
                var args = ReduceArguments(c.Arguments, env);
                return args is null ? RValue.Poison : ReduceLoad(args[0], env, c.Position);
            }

            default:
            {
                var args = ReduceArguments(c.Arguments, env);
                return args is null ? RValue.Poison : RValue.Of(_nodes.Operation(op.Name, op.Revision, args, null));
            }
        }
    }

    /// <summary><c>range</c> with constant integral bounds becomes the sequence of its constants, so loops over it unroll.</summary>
    private RValue? StaticRange(int[] args)
    {
        double start = 0, stop;
        if (args.Length == 2)
        {
            if (!ConstantNumber(args[0], out start) || !ConstantNumber(args[1], out stop)) return null;
        }
        else if (!ConstantNumber(args[0], out stop))
        {
            return null;
        }

        if (start != Math.Floor(start) || stop != Math.Floor(stop) || stop - start > MaxStaticRange)
        {
            return null; // non-integral bounds fail at run time with the primitive's message; huge ranges loop at run time
        }

        var count = (int)Math.Max(0, stop - start);
        var items = new int[count];
        for (var i = 0; i < count; i++)
        {
            items[i] = _nodes.Constant(start + i);
        }

        return RValue.Of(_builder.Operation(BuiltinNames.Sequence, Lookup(BuiltinNames.Sequence)?.Revision ?? 1, items));
    }

    private bool ConstantNumber(int node, out double value)
    {
        var n = _builder[node];
        if (n.Kind == NodeKind.Constant && n.Value is double d)
        {
            value = d;
            return true;
        }

        value = 0;
        return false;
    }

    private RValue ReduceLoad(int path, Env env, SourcePosition position)
    {
        var node = _builder[path];
        if (node.Kind == NodeKind.Constant && node.Value is string relative)
        {
            try
            {
                var full = Path.GetFullPath(Path.Combine(_options.WorkingDirectory, relative));
                if (File.Exists(full))
                {
                    // The content hash is part of the id: editing the file changes every id downstream.
                    using var stream = File.OpenRead(full);
                    var hash = Convert.ToHexStringLower(SHA256.HashData(stream));
                    return Node(BuiltinNames.Load, [path], env, position, new Dictionary<string, object?> { ["sha256"] = hash });
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                // Unreadable now: read (and fail, if it still is) at run time, never from the store.
            }
        }

        return Node(BuiltinNames.LoadVolatile, [path], env, position);
    }

    private RValue ReduceFold(FoldExpr f, Env env)
    {
        if (!BuiltinNames.FoldOperators.Contains(f.Operator))
        {
            return Error(env, f.OperatorPosition, "InvalidFold", $"fold combines with + - * / && || min max, not '{f.Operator}'");
        }

        if (f.Init is null && f.Operator == "/")
        {
            return Error(env, f.OperatorPosition, "InvalidFold", "fold / needs an initial value: fold / init seq");
        }

        var seq = ReduceNode(f.Sequence, env);
        var init = f.Init is null ? RValue.Of(-1) : ReduceNode(f.Init, env);
        if (!seq.IsNode || !init.IsNode)
        {
            return RValue.Poison;
        }

        var args = f.Init is null ? new[] { seq.Node } : [init.Node, seq.Node];
        return Node(BuiltinNames.Fold, args, env, f.Position, new Dictionary<string, object?> { ["operator"] = f.Operator });
    }

    private RValue ReduceMap(CallExpr c, Env env)
    {
        var function = Reduce(c.Arguments[0], env);
        if (function.IsPoison) return function;
        var seq = ReduceNode(c.Arguments[1], env);
        if (!seq.IsNode) return RValue.Poison;
        switch (function.Callable)
        {
            case FunctionValue f:
                if (f.Arity != 1)
                {
                    return Error(env, c.Arguments[0].Position, "WrongArity", $"map needs a function of one argument; '{f.Name}' takes {f.Arity}");
                }

                return Loop(false, f.Name, seq.Node, (item, e2) => item.IsNode ? CallFunction(f, [item.Node], c.Position, e2) : RValue.Poison, c.Position, env);
            case BuiltinValue b:
                if (!b.Operation.AcceptsArity(1) || BuiltinNames.Internal.Contains(b.Operation.Name) || b.Operation.Name is BuiltinNames.Map)
                {
                    return Error(env, c.Arguments[0].Position, "WrongArity", $"map needs a function of one argument; {b.Operation.Name} takes {b.Operation.ArityText}");
                }

                // A file read inside a loop has no constant path: it is volatile.
                var name = b.Operation.Name == BuiltinNames.Load ? BuiltinNames.LoadVolatile : b.Operation.Name;
                return Loop(false, b.Operation.ShortName, seq.Node,
                    (item, e2) => item.IsNode ? Node(name, [item.Node], e2, c.Position) : RValue.Poison, c.Position, env);
            default:
                return Error(env, c.Arguments[0].Position, "CallingValue", "map needs a function as its first argument, not a value");
        }
    }
}
