using System.Runtime.CompilerServices;
using VoxScheduler.Language.Syntax;

namespace VoxScheduler.Language.Reduction;

internal sealed partial class Reducer
{
    private bool _checkFailed;

    /// <summary>
    /// Checks a function body when it is declared, without reducing it: every name bound, every
    /// call to something callable with the right arity, no function used as a value. So an
    /// error in a function is reported once, at its place, even if the function is never
    /// called; applications of a function that failed its check reduce to poison quietly.
    /// </summary>
    private bool CheckFunctionBody(FunctionValue f)
    {
        _checkFailed = false;
        LocalScope? locals = null;
        foreach (var p in f.Declaration.Parameters!)
        {
            locals = new LocalScope(p, RValue.Of(int.MinValue), locals);
        }

        CheckValue(f.Declaration.Body, new Env(locals, f.Scope, f.Serial));
        return !_checkFailed;
    }

    private void Fail(Env env, SourcePosition position, string code, string message)
    {
        _checkFailed = true;
        Error(env, position, code, message);
    }

    private void CheckValue(Expr e, Env env)
    {
        var v = Check(e, env);
        if (!v.IsNode && !v.IsPoison)
        {
            Fail(env, e.Position, "FunctionAsValue", $"{DescribeCallable(e, v)} is a function and cannot be used as a value; call it with arguments");
        }
    }

    /// <summary>What the expression would reduce to: a value (any node index), a callable, or poison after an error.</summary>
    private RValue Check(Expr e, Env env)
    {
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            Fail(env, e.Position, "TooDeep", "expression nested too deeply to reduce (simplify it or split it into declarations)");
            return RValue.Poison;
        }

        var value = RValue.Of(int.MinValue);
        switch (e)
        {
            case NumberExpr or StringExpr or BoolExpr:
                return value;
            case NameExpr n:
            {
                var r = ResolveName(n.Name, n.Position, env);
                if (r.IsPoison) _checkFailed = true;
                return r.Callable is BuiltinValue bare && IsBareForm(bare.Operation, 0) ? value : r;
            }

            case BinaryExpr b:
            {
                var spine = new Stack<BinaryExpr>();
                Expr current = b;
                while (current is BinaryExpr bin)
                {
                    spine.Push(bin);
                    current = bin.Left;
                }

                CheckValue(current, env);
                while (spine.Count > 0)
                {
                    var op = spine.Pop();
                    CheckValue(op.Right, env);
                    CheckOperator(op.Operator, 2, op.Position, env);
                }

                return value;
            }

            case PrefixExpr p:
                CheckValue(p.Operand, env);
                CheckOperator(p.Operator, 1, p.Position, env);
                return value;
            case CallExpr c:
                CheckCall(c, env);
                return value;
            case ArrayExpr a:
                foreach (var item in a.Items) CheckValue(item, env);
                return value;
            case IndexExpr ix:
                CheckValue(ix.Target, env);
                CheckValue(ix.Index, env);
                return value;
            case SliceExpr sl:
                CheckValue(sl.Target, env);
                if (sl.Start is not null) CheckValue(sl.Start, env);
                if (sl.Stop is not null) CheckValue(sl.Stop, env);
                return value;
            case LetExpr l:
                CheckValue(l.Value, env);
                return Check(l.Body, env with { Locals = new LocalScope(l.Name, value, env.Locals) });
            case ForExpr f:
                CheckValue(f.Sequence, env);
                CheckValue(f.Body, env with { Locals = new LocalScope(f.Variable, value, env.Locals) });
                return value;
            case FoldExpr fe:
                if (!BuiltinNames.FoldOperators.Contains(fe.Operator))
                {
                    Fail(env, fe.OperatorPosition, "InvalidFold", $"fold combines with + - * / && || min max, not '{fe.Operator}'");
                }
                else if (fe.Init is null && fe.Operator == "/")
                {
                    Fail(env, fe.OperatorPosition, "InvalidFold", "fold / needs an initial value: fold / init seq");
                }

                if (fe.Init is not null) CheckValue(fe.Init, env);
                CheckValue(fe.Sequence, env);
                return value;
            default:
                return value;
        }
    }

    private void CheckOperator(string symbol, int arity, SourcePosition position, Env env)
    {
        var (function, builtin) = ResolveOperator(symbol, arity, position, env);
        if (function is null && builtin is null) _checkFailed = true;
    }

    private void CheckCall(CallExpr c, Env env)
    {
        if (c.IsOperator)
        {
            foreach (var a in c.Arguments) CheckValue(a, env);
            CheckOperator(c.Callee, c.Arguments.Count, c.Position, env);
            return;
        }

        var callee = ResolveName(c.Callee, c.Position, env);
        switch (callee.Callable)
        {
            case RValue.PoisonMarker:
                _checkFailed = true;
                break;
            case null:
                Fail(env, c.Position, "CallingValue", $"'{c.Callee}' is a value, not a function, and cannot be called");
                break;
            case FunctionValue f when f.Arity != c.Arguments.Count:
                Fail(env, c.Position, "WrongArity", $"'{f.Name}' takes {f.Arity} argument{(f.Arity == 1 ? "" : "s")}, not {c.Arguments.Count}");
                break;
            case BuiltinValue b when !b.Operation.AcceptsArity(c.Arguments.Count) && !IsBareForm(b.Operation, c.Arguments.Count):
                Fail(env, c.Position, "WrongArity",
                    $"'{c.Callee}' ({b.Operation.Name}) takes {b.Operation.ArityText} argument{(b.Operation.ArityText == "1" ? "" : "s")}, not {c.Arguments.Count}");
                break;
            case BuiltinValue b when b.Operation.Name == BuiltinNames.Map:
            {
                var fn = Check(c.Arguments[0], env);
                switch (fn.Callable)
                {
                    case FunctionValue mf when mf.Arity != 1:
                        Fail(env, c.Arguments[0].Position, "WrongArity", $"map needs a function of one argument; '{mf.Name}' takes {mf.Arity}");
                        break;
                    case null:
                        Fail(env, c.Arguments[0].Position, "CallingValue", "map needs a function as its first argument, not a value");
                        break;
                }

                CheckValue(c.Arguments[1], env);
                return;
            }
        }

        foreach (var a in c.Arguments) CheckValue(a, env);
    }
}
