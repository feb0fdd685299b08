using System.Globalization;
using System.Text;

namespace VoxScheduler.Operations.Builtins;

/// <summary>The <c>strings</c> namespace of docs/language.md §7 (<c>import "strings"</c>).</summary>
public static class StringsNamespace
{
    /// <summary>Adds every operation of the namespace.</summary>
    public static void Register(OperationRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry.RegisterRange(Create());
    }

    private static Operation Op(string name, int min, int max, string description, Func<OperationContext, object?> body) =>
        Operation.Create("strings." + name, min, max, body, 1, Purity.Pure, description);

    private static IEnumerable<Operation> Create()
    {
        yield return Op("concat", 1, -1, "concat(a, b, …): the values as text, joined (numbers as 3, 0.5).",
            c => string.Concat(c.Arguments.Select(ValueText.ToText)));
        yield return Op("format", 1, -1, "format(template, …): fills {} (next), {N} (argument N) and {:.Nf} / {N:.Nf} (N decimals); {{ and }} are braces.", Format);
        yield return Op("format_string", 1, -1,
            "format_string(template, …): VoxLogicA-2's Python str.format: {} / {N} with specs such as {:03d}, {:.2%}, {:,}, {:>8}, {:.3e}.",
            PythonFormat.Format);
        yield return Op("length", 1, 1, "Number of characters (UTF-16 code units) of a string.", c => (double)c.Text(0).Length);
        yield return Op("upper", 1, 1, "The string in upper case (invariant culture).", c => c.Text(0).ToUpperInvariant());
        yield return Op("lower", 1, 1, "The string in lower case (invariant culture).", c => c.Text(0).ToLowerInvariant());
        yield return Op("split", 2, 2, "split(s, separator): the parts of s as a sequence of strings.", c =>
        {
            var separator = c.Text(1);
            if (separator.Length == 0) throw c.Fail("the separator must not be empty.");
            return c.Text(0).Split(separator).Select(s => (object?)s).ToArray();
        });
        yield return Op("join", 2, 2, "join(items, separator): the items as text, separated.", c =>
            string.Join(c.Text(1), c.Sequence(0).Select(ValueText.ToText)));
        yield return Op("replace", 3, 3, "replace(s, old, new): every occurrence of old replaced by new.", c =>
        {
            var old = c.Text(1);
            if (old.Length == 0) throw c.Fail("the text to replace must not be empty.");
            return c.Text(0).Replace(old, c.Text(2), StringComparison.Ordinal);
        });
        yield return Op("contains", 2, 2, "contains(s, part): true when part occurs in s.", c => c.Text(0).Contains(c.Text(1), StringComparison.Ordinal));
    }

    private static object? Format(OperationContext c)
    {
        var template = c.Text(0);
        var sb = new StringBuilder(template.Length + 16);
        var next = 1;
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

                throw c.Fail($"unmatched '}}' at position {i + 1} of the template; write '}}}}' for a brace.");
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
            if (close < 0)
            {
                throw c.Fail($"unclosed '{{' at position {i + 1} of the template.");
            }

            var spec = template[(i + 1)..close];
            var colon = spec.IndexOf(':');
            var indexText = colon >= 0 ? spec[..colon] : spec;
            var formatText = colon >= 0 ? spec[(colon + 1)..] : null;
            int argument;
            if (indexText.Length == 0)
            {
                argument = next++;
            }
            else if (int.TryParse(indexText, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                argument = n + 1;
            }
            else
            {
                throw c.Fail($"'{{{spec}}}' is not a placeholder ({{}}, {{N}}, {{:.Nf}}, {{N:.Nf}}).");
            }

            if (argument >= c.Count)
            {
                throw c.Fail($"placeholder '{{{spec}}}' needs argument {argument - 1} but only {c.Count - 1} were given.");
            }

            var value = c[argument];
            if (formatText is null)
            {
                sb.Append(ValueText.ToText(value));
            }
            else if (formatText.Length >= 3 && formatText[0] == '.' && formatText[^1] == 'f'
                && int.TryParse(formatText.AsSpan(1, formatText.Length - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var decimals) && decimals <= 20)
            {
                var number = Arithmetic.Number(c, value, $"the value of '{{{spec}}}'");
                sb.Append(number.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));
            }
            else
            {
                throw c.Fail($"'{{{spec}}}' has an unknown format; use {{:.Nf}} for N decimals.");
            }

            i = close;
        }

        return sb.ToString();
    }
}
