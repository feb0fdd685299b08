using VoxScheduler.Values;

namespace VoxScheduler.Operations.Builtins;

/// <summary>
/// Element-wise arithmetic on runtime values (docs/language.md §4): numbers, sequences with a number,
/// and sequences of equal length, recursively. Failures name the operation and what it got.
/// </summary>
internal static class Arithmetic
{
    public static object? Binary(OperationContext context, string symbol, object? a, object? b, Func<double, double, double> f, bool checkZero = false)
    {
        switch (a, b)
        {
            case (object?[] xs, object?[] ys):
                if (xs.Length != ys.Length)
                {
                    throw context.Fail($"'{symbol}' on sequences of different lengths ({xs.Length} and {ys.Length}).");
                }

                var zipped = new object?[xs.Length];
                for (var i = 0; i < xs.Length; i++) zipped[i] = Binary(context, symbol, xs[i], ys[i], f, checkZero);
                return zipped;
            case (object?[] xs, _):
                var left = new object?[xs.Length];
                for (var i = 0; i < xs.Length; i++) left[i] = Binary(context, symbol, xs[i], b, f, checkZero);
                return left;
            case (_, object?[] ys):
                var right = new object?[ys.Length];
                for (var i = 0; i < ys.Length; i++) right[i] = Binary(context, symbol, a, ys[i], f, checkZero);
                return right;
        }

        if (symbol == "+" && a is string sa && b is string sb)
        {
            return sa + sb;
        }

        if (!TryNumber(a, out var x) || !TryNumber(b, out var y))
        {
            throw context.Fail($"'{symbol}' needs numbers{(symbol == "+" ? ", two strings" : "")} or sequences of them, not {ValueCodec.TypeName(a)} and {ValueCodec.TypeName(b)}.");
        }

        if (checkZero && y == 0)
        {
            throw context.Fail($"division by zero ({ValueText.FormatNumber(x)} {symbol} 0).");
        }

        return Finite(context, f(x, y));
    }

    public static object? Unary(OperationContext context, string name, object? a, Func<double, double> f)
    {
        if (a is object?[] xs)
        {
            var r = new object?[xs.Length];
            for (var i = 0; i < xs.Length; i++) r[i] = Unary(context, name, xs[i], f);
            return r;
        }

        if (!TryNumber(a, out var x))
        {
            throw context.Fail($"{name} needs a number or a sequence of numbers, not {ValueCodec.TypeName(a)}.");
        }

        return Finite(context, f(x));
    }

    public static double Finite(OperationContext context, double value) =>
        double.IsFinite(value) ? value : throw context.Fail($"the result is not a finite number ({ValueText.FormatNumber(value)}).");

    public static bool TryNumber(object? value, out double number)
    {
        switch (value)
        {
            case double d:
                number = d;
                return true;
            case long l:
                number = l;
                return true;
            case ulong u:
                number = u;
                return true;
            default:
                number = 0;
                return false;
        }
    }

    public static double Number(OperationContext context, object? value, string what) =>
        TryNumber(value, out var n) ? n : throw context.Fail($"{what} must be a number, not {ValueCodec.TypeName(value)}.");

    /// <summary>Structural equality of runtime values (numbers by value, sequences item by item).</summary>
    public static bool ValueEquals(object? a, object? b)
    {
        if (TryNumber(a, out var x) && TryNumber(b, out var y)) return x == y;
        return (a, b) switch
        {
            (null, null) => true,
            (string s, string t) => s == t,
            (bool p, bool q) => p == q,
            (byte[] p, byte[] q) => p.AsSpan().SequenceEqual(q),
            (object?[] p, object?[] q) => p.Length == q.Length && p.Zip(q).All(z => ValueEquals(z.First, z.Second)),
            (IReadOnlyDictionary<string, object?> p, IReadOnlyDictionary<string, object?> q) =>
                p.Count == q.Count && p.All(kv => q.TryGetValue(kv.Key, out var v) && ValueEquals(kv.Value, v)),
            _ => false,
        };
    }

    /// <summary>Orders two numbers or two strings (ordinal); anything else is a type error.</summary>
    public static int Compare(OperationContext context, string symbol, object? a, object? b)
    {
        if (TryNumber(a, out var x) && TryNumber(b, out var y))
        {
            return x.CompareTo(y);
        }

        if (a is string s && b is string t)
        {
            return string.CompareOrdinal(s, t);
        }

        throw context.Fail($"'{symbol}' compares two numbers or two strings, not {ValueCodec.TypeName(a)} and {ValueCodec.TypeName(b)}.");
    }

    /// <summary>An integral number usable as an index or a count.</summary>
    public static long Integral(OperationContext context, object? value, string what)
    {
        var n = Number(context, value, what);
        if (n != Math.Floor(n) || Math.Abs(n) > 1e15)
        {
            throw context.Fail($"{what} must be an integral number, not {ValueText.FormatNumber(n)}.");
        }

        return (long)n;
    }
}
