using System.Text;
using VoxScheduler.Dag;

namespace VoxScheduler.Operations.Builtins;

/// <summary>
/// Runtime values as text (invariant culture): numbers in shortest round-trip form
/// (<c>3</c>, <c>0.5</c>, <c>1e+21</c>, as ECMAScript and JSON write them), booleans as
/// <c>true</c>/<c>false</c>, strings as themselves, sequences and records as JSON, bytes as base64.
/// Used by <c>to_string</c>, <c>strings.concat</c>, <c>strings.format</c> and <c>save</c>.
/// </summary>
public static class ValueText
{
    /// <summary>The text of a value.</summary>
    public static string ToText(object? value) => value switch
    {
        null => "null",
        string s => s,
        double d => FormatNumber(d),
        bool b => b ? "true" : "false",
        long l => l.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ulong u => u.ToString(System.Globalization.CultureInfo.InvariantCulture),
        byte[] bytes => Convert.ToBase64String(bytes),
        _ => ToJson(value),
    };

    /// <summary>A number as ECMAScript writes it; NaN and infinities as <c>NaN</c>, <c>Infinity</c>, <c>-Infinity</c>.</summary>
    public static string FormatNumber(double d) => double.IsFinite(d)
        ? CanonicalJson.FormatNumber(d)
        : double.IsNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity";

    /// <summary>The JSON text of a value (bytes become base64 strings).</summary>
    /// <exception cref="ArgumentException">The value holds NaN or an infinity.</exception>
    public static string ToJson(object? value) => Encoding.UTF8.GetString(CanonicalJson.Serialize(JsonReady(value)));

    private static object? JsonReady(object? value) => value switch
    {
        byte[] bytes => Convert.ToBase64String(bytes),
        object?[] seq when seq.Any(x => x is byte[] or object?[] or IReadOnlyDictionary<string, object?>) => seq.Select(JsonReady).ToArray(),
        IReadOnlyDictionary<string, object?> record => record.ToDictionary(kv => kv.Key, kv => JsonReady(kv.Value), StringComparer.Ordinal),
        _ => value,
    };
}
