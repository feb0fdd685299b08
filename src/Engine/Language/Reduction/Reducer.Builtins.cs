using System.Security.Cryptography;
using VoxScheduler.Dag;
using VoxScheduler.Language.Syntax;
using VoxScheduler.Operations;
using VoxScheduler.Operations.Builtins;

namespace VoxScheduler.Language.Reduction;

/// <summary>Built-ins the reducer treats specially: range, load, dir, fold, map.</summary>
internal sealed partial class Reducer
{
    private RValue CallBuiltin(Operation op, CallExpr c, Env env)
    {
        if (IsBareForm(op, c.Arguments.Count))
        {
            var given = ReduceArguments(c.Arguments, env);
            return given is null ? RValue.Poison : BareNode(op, given, c.Position, env);
        }

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

            case BuiltinNames.Dir:
            {
                var args = ReduceArguments(c.Arguments, env);
                return args is null ? RValue.Poison : StaticDir(args) ?? Node(op.Name, args, env, c.Position);
            }

            case BuiltinNames.Load:
            {
                var args = ReduceArguments(c.Arguments, env);
                if (args is null) return RValue.Poison;
                var loaded = ReduceLoad(args[0], env, c.Position);
                (env.Base ?? env.File.TopBase)?.Offer(c, loaded);
                return loaded;
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

    /// <summary>
    /// <c>dir</c> with constant arguments is listed now (LANGUAGE.md §7), confined like a constant
    /// <c>load</c>: its entries become a sequence of constant paths, so loops over it unroll and each
    /// case's <c>load</c> is keyed by its file's content. Anything else (or a listing that fails now)
    /// is left to <c>default.dir</c> at run time, which reports the failure on the goals that need it.
    /// </summary>
    private RValue? StaticDir(int[] args)
    {
        var root = Constant(args[0]) as string;
        var pattern = args.Length > 1 ? Constant(args[1]) as string : "*";
        var recursive = args.Length > 2 ? Constant(args[2]) as bool? : false;
        var fullPaths = args.Length > 3 ? Constant(args[3]) as bool? : false;
        if (root is null || pattern is null || recursive is not { } deep || fullPaths is not { } full) return null;
        string[] entries;
        try
        {
            entries = DirectoryListing.List(root, pattern, deep, full, _options.WorkingDirectory, _options.ReadRoot);
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return null;
        }

        var items = new int[entries.Length];
        for (var i = 0; i < entries.Length; i++) items[i] = _nodes.Constant(entries[i]);
        return RValue.Of(_builder.Operation(BuiltinNames.Sequence, Lookup(BuiltinNames.Sequence)?.Revision ?? 1, items));
    }

    private object? Constant(int node) => _builder[node] is { Kind: NodeKind.Constant } n ? n.Value : null;

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
                // Outside the read root the file is not even hashed here: the node stays volatile and
                // the host's confined load fails that goal alone at run time.
                if (MayRead(full) && File.Exists(full))
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
