using System.Collections;
using System.Globalization;
using System.Text;
using VoxScheduler.Dag;

namespace VoxScheduler.Cmdlets.Output;

/// <summary>Short, culture-invariant text for values in tables and DOT labels.</summary>
public static class ValueText
{
    /// <summary>Formats a value compactly (sequences abbreviated after a few items).</summary>
    public static string Format(object? value, int maxItems = 8)
    {
        var builder = new StringBuilder();
        Append(builder, value, maxItems, 0);
        return builder.ToString();
    }

    private static void Append(StringBuilder builder, object? value, int maxItems, int depth)
    {
        switch (value)
        {
            case null:
                builder.Append("null");
                break;
            case System.Management.Automation.PSObject wrapped:
                // A result's sequence reaches format scripts wrapped (VoxResult.Value).
                Append(builder, wrapped.BaseObject, maxItems, depth);
                break;
            case double d:
                builder.Append(CanonicalJson.FormatNumber(d));
                break;
            case bool b:
                builder.Append(b ? "true" : "false");
                break;
            case string s:
                builder.Append(depth == 0 ? s : "\"" + s + "\"");
                break;
            case byte[] bytes:
                builder.Append(CultureInfo.InvariantCulture, $"bytes[{bytes.Length}]");
                break;
            case Stream:
                builder.Append("<stream>");
                break;
            case Images.Image image:
                builder.Append(image.ToString()); // its one-line summary, never its voxels
                break;
            case IDictionary<string, object?> record:
                builder.Append('{');
                var n = 0;
                foreach (var kv in record)
                {
                    if (n > 0) builder.Append(", ");
                    if (n++ == maxItems) { builder.Append('…'); break; }
                    builder.Append(kv.Key).Append(": ");
                    Append(builder, kv.Value, maxItems, depth + 1);
                }

                builder.Append('}');
                break;
            case IEnumerable sequence:
                builder.Append('[');
                var i = 0;
                foreach (var item in sequence)
                {
                    if (i > 0) builder.Append(", ");
                    if (i++ == maxItems) { builder.Append('…'); break; }
                    Append(builder, item, maxItems, depth + 1);
                }

                builder.Append(']');
                break;
            case IFormattable f:
                builder.Append(f.ToString(null, CultureInfo.InvariantCulture));
                break;
            default:
                builder.Append(value);
                break;
        }
    }
}
