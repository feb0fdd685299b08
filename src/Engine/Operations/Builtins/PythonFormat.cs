using System.Globalization;
using System.Text;

namespace VoxScheduler.Operations.Builtins;

/// <summary>
/// <c>strings.format_string</c> (LANGUAGE.md §7): VoxLogicA-2's formatting, which is Python's
/// <c>str.format</c>. Replacement fields <c>{}</c>, <c>{N}</c> with an optional format spec
/// <c>[[fill]align][sign][z][#][0][width][grouping][.precision][type]</c>, types
/// <c>d f F e E g G % x X o b s</c> or none; <c>{{</c> and <c>}}</c> are braces. Numbers are
/// doubles here, so the integer types accept integral numbers only, as Python accepts ints only.
/// </summary>
internal static class PythonFormat
{
    private const int MaxWidth = 10_000; // a stranger's template cannot ask for gigabytes of padding
    private const int MaxPrecision = 100;

    public static string Format(OperationContext c)
    {
        var template = c.Text(0);
        var sb = new StringBuilder(template.Length + 16);
        var next = 1;
        var manual = false;
        for (var i = 0; i < template.Length; i++)
        {
            var ch = template[i];
            if (ch == '}')
            {
                if (i + 1 < template.Length && template[i + 1] == '}')
                {
                    sb.Append('}');
                    i++;
                    continue;
                }

                throw c.Fail($"single '}}' at position {i + 1} of the template; write '}}}}' for a brace.");
            }

            if (ch != '{')
            {
                sb.Append(ch);
                continue;
            }

            if (i + 1 < template.Length && template[i + 1] == '{')
            {
                sb.Append('{');
                i++;
                continue;
            }

            var close = template.IndexOf('}', i + 1);
            if (close < 0) throw c.Fail($"unclosed '{{' at position {i + 1} of the template.");
            var field = template[(i + 1)..close];
            var colon = field.IndexOf(':');
            var name = colon >= 0 ? field[..colon] : field;
            var spec = colon >= 0 ? field[(colon + 1)..] : "";
            int argument;
            if (name.Length == 0)
            {
                if (manual) throw c.Fail("cannot switch from manual field numbering ({0}) to automatic ({}).");
                argument = next++;
            }
            else if (int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n < c.Count)
            {
                if (next > 1) throw c.Fail("cannot switch from automatic field numbering ({}) to manual ({0}).");
                manual = true;
                argument = n + 1;
            }
            else
            {
                throw c.Fail($"'{{{field}}}' is not a replacement field this template can fill ({{}}, {{N}} with N an argument index, then :spec).");
            }

            if (argument >= c.Count) throw c.Fail($"'{{{field}}}' needs argument {argument - 1} but only {c.Count - 1} were given.");
            sb.Append(FormatValue(c, c[argument], spec, field));
            i = close;
        }

        return sb.ToString();
    }

    private static string FormatValue(OperationContext c, object? value, string specText, string field)
    {
        var spec = Spec.Parse(specText) ?? throw c.Fail($"'{{{field}}}' has an invalid format spec '{specText}'.");
        if (spec.Width > MaxWidth || spec.Precision > MaxPrecision)
        {
            throw c.Fail($"'{{{field}}}' asks for a width above {MaxWidth} or a precision above {MaxPrecision}.");
        }

        if (value is string s)
        {
            if (spec.Type is not (null or 's') || spec.Sign is not null || spec.Grouping is not null || spec.Alternate || spec.Align == '=')
            {
                throw c.Fail($"'{{{field}}}' formats a number, not the string \"{s}\".");
            }

            if (spec.Precision is { } p && p < s.Length) s = s[..p];
            return Pad(s, spec.ZeroPad && spec.Fill is null && spec.Align is null ? spec with { Fill = '0' } : spec, defaultAlign: '<');
        }

        if (!Arithmetic.TryNumber(value, out var x))
        {
            if (specText.Length == 0) return ValueText.ToText(value);
            throw c.Fail($"'{{{field}}}' has a format spec, which needs a number or a string, not {Values.ValueCodec.TypeName(value)}.");
        }

        if (spec.Type == 's') throw c.Fail($"'{{{field}}}' uses type 's', which formats strings, not numbers.");
        if (spec.NegativeZero && x == 0) x = 0d; // 'z': -0.0 shows as 0.0
        var negative = double.IsNegative(x) && !double.IsNaN(x);
        var magnitude = Math.Abs(x);
        string body;
        var prefix = "";
        switch (spec.Type)
        {
            case 'd' or 'x' or 'X' or 'o' or 'b':
                if (!double.IsFinite(x) || Math.Floor(x) != x || magnitude > 9.007199254740992e15)
                {
                    throw c.Fail($"'{{{field}}}' uses type '{spec.Type}', which formats integral numbers, not {ValueText.ToText(value)}.");
                }

                if (spec.Precision is not null) throw c.Fail($"'{{{field}}}': precision is not allowed with type '{spec.Type}'.");
                var whole = (long)magnitude;
                (body, prefix) = spec.Type switch
                {
                    'x' => (whole.ToString("x", CultureInfo.InvariantCulture), "0x"),
                    'X' => (whole.ToString("X", CultureInfo.InvariantCulture), "0X"),
                    'o' => (Convert.ToString(whole, 8), "0o"),
                    'b' => (Convert.ToString(whole, 2), "0b"),
                    _ => (whole.ToString(CultureInfo.InvariantCulture), ""),
                };
                if (!spec.Alternate) prefix = "";
                break;
            case 'f' or 'F':
                body = Fixed(magnitude, spec.Precision ?? 6, upper: spec.Type == 'F');
                break;
            case '%':
                body = Fixed(magnitude * 100, spec.Precision ?? 6, upper: false) + "%";
                break;
            case 'e' or 'E':
                body = Scientific(magnitude, spec.Precision ?? 6, spec.Type == 'E');
                break;
            case 'g' or 'G':
                body = General(magnitude, spec.Precision ?? 6, spec.Type == 'G', spec.Alternate);
                break;
            case null:
                // No type: Python's str() of the number; with a precision, 'g' that keeps a decimal point.
                body = !double.IsFinite(magnitude) ? Fixed(magnitude, 0, upper: false)
                    : spec.Precision is { } gp ? General(magnitude, gp, upper: false, alternate: false)
                    : ValueText.ToText(magnitude);
                break;
            default:
                throw c.Fail($"'{{{field}}}' uses type '{spec.Type}', which format_string does not know (d f F e E g G % x X o b s).");
        }

        var sign = negative ? "-" : spec.Sign is '+' ? "+" : spec.Sign is ' ' ? " " : "";
        var every = spec.Type is 'x' or 'X' or 'o' or 'b' ? 4 : 3;
        if (spec.Grouping is { } separator) body = Group(body, separator, every);
        if (spec.ZeroPad && spec.Align is null && spec.Fill is null)
        {
            // '0' before the width: zeros after the sign, and grouped like the digits (Python's 08,: 0,001,234).
            if (spec.Grouping is { } sep && char.IsAsciiHexDigit(body[0]))
            {
                var room = spec.Width - sign.Length - prefix.Length;
                var (digits, rest) = SplitInteger(body, sep);
                while (Group(digits, sep, every).Length + rest.Length < room) digits = "0" + digits;
                body = Group(digits, sep, every) + rest;
            }

            spec = spec with { Fill = '0', Align = '=' };
        }

        if (spec.Align == '=')
        {
            var padding = spec.Width - sign.Length - prefix.Length - body.Length;
            return padding > 0 ? sign + prefix + new string(spec.Fill ?? ' ', padding) + body : sign + prefix + body;
        }

        return Pad(sign + prefix + body, spec, defaultAlign: '>');
    }

    private static string Fixed(double magnitude, int precision, bool upper)
    {
        if (double.IsNaN(magnitude)) return upper ? "NAN" : "nan";
        if (double.IsInfinity(magnitude)) return upper ? "INF" : "inf";
        return magnitude.ToString("F" + precision.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    /// <summary>d.ddde±XX with at least two exponent digits, as Python (and C's printf) writes it.</summary>
    private static string Scientific(double magnitude, int precision, bool upper)
    {
        if (!double.IsFinite(magnitude)) return Fixed(magnitude, 0, upper);
        var text = magnitude.ToString((upper ? "E" : "e") + precision.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        var e = text.IndexOfAny(['e', 'E']);
        var exponent = int.Parse(text.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        return text[..(e + 1)] + (exponent < 0 ? "-" : "+") + Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture);
    }

    /// <summary>Python's 'g': precision significant digits, fixed when −4 ≤ exponent &lt; precision, trailing zeros removed unless '#'.</summary>
    private static string General(double magnitude, int precision, bool upper, bool alternate)
    {
        if (!double.IsFinite(magnitude)) return Fixed(magnitude, 0, upper);
        var p = Math.Max(precision, 1);
        var scientific = Scientific(magnitude, p - 1, upper);
        var exponent = int.Parse(scientific.AsSpan(scientific.IndexOfAny(['e', 'E']) + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        string text;
        if (exponent >= -4 && exponent < p)
        {
            text = Fixed(magnitude, p - 1 - exponent, upper);
            if (!alternate && text.Contains('.')) text = text.TrimEnd('0').TrimEnd('.');
        }
        else
        {
            text = scientific;
            if (!alternate)
            {
                var e = text.IndexOfAny(['e', 'E']);
                var mantissa = text[..e];
                if (mantissa.Contains('.')) mantissa = mantissa.TrimEnd('0').TrimEnd('.');
                text = mantissa + text[e..];
            }
        }

        return text;
    }

    private static (string Digits, string Tail) SplitInteger(string body, char separator)
    {
        var end = 0;
        while (end < body.Length && (char.IsAsciiHexDigit(body[end]) || body[end] == separator)) end++;
        return (body[..end].Replace(separator.ToString(), "", StringComparison.Ordinal), body[end..]);
    }

    private static string Group(string body, char separator, int every)
    {
        var end = 0;
        while (end < body.Length && char.IsAsciiHexDigit(body[end])) end++;
        if (end <= every) return body;
        var sb = new StringBuilder(body.Length + end / every);
        for (var i = 0; i < end; i++)
        {
            if (i > 0 && (end - i) % every == 0) sb.Append(separator);
            sb.Append(body[i]);
        }

        return sb.Append(body.AsSpan(end)).ToString();
    }

    private static string Pad(string text, Spec spec, char defaultAlign)
    {
        var padding = spec.Width - text.Length;
        if (padding <= 0) return text;
        var fill = spec.Fill ?? ' ';
        return (spec.Align ?? defaultAlign) switch
        {
            '<' => text + new string(fill, padding),
            '^' => new string(fill, padding / 2) + text + new string(fill, padding - padding / 2),
            _ => new string(fill, padding) + text,
        };
    }

    /// <summary>A parsed format spec; null fields are absent.</summary>
    private sealed record Spec(char? Fill, char? Align, char? Sign, bool NegativeZero, bool Alternate, bool ZeroPad, int Width,
        char? Grouping, int? Precision, char? Type)
    {
        public static Spec? Parse(string s)
        {
            var i = 0;
            char? fill = null, align = null, sign = null, grouping = null, type = null;
            if (s.Length >= 2 && s[1] is '<' or '>' or '^' or '=')
            {
                fill = s[0];
                align = s[1];
                i = 2;
            }
            else if (s.Length >= 1 && s[0] is '<' or '>' or '^' or '=')
            {
                align = s[0];
                i = 1;
            }

            if (i < s.Length && s[i] is '+' or '-' or ' ') sign = s[i++];
            var negativeZero = i < s.Length && s[i] == 'z' && i++ >= 0;
            var alternate = i < s.Length && s[i] == '#' && i++ >= 0;
            var zeroPad = i < s.Length && s[i] == '0' && i++ >= 0;
            var width = ReadNumber(s, ref i) ?? 0;
            if (i < s.Length && s[i] is ',' or '_') grouping = s[i++];
            int? precision = null;
            if (i < s.Length && s[i] == '.')
            {
                i++;
                precision = ReadNumber(s, ref i);
                if (precision is null) return null;
            }

            if (i < s.Length) type = s[i++];
            if (i != s.Length) return null;
            if (grouping == ',' && type is 'x' or 'X' or 'o' or 'b') return null; // Python: ',' only for decimal types
            return new Spec(fill, align, sign, negativeZero, alternate, zeroPad, width, grouping, precision, type);
        }

        private static int? ReadNumber(string s, ref int i)
        {
            var start = i;
            while (i < s.Length && char.IsAsciiDigit(s[i])) i++;
            if (i == start) return null;
            return i - start > 6 ? int.MaxValue : int.Parse(s.AsSpan(start, i - start), CultureInfo.InvariantCulture);
        }
    }
}
