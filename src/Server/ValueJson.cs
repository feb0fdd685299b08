using System.Globalization;
using System.Text.Json.Nodes;

namespace VoxScheduler.Server;

/// <summary>
/// Runtime values as JSON: numbers, booleans, strings, null, sequences as arrays, records as
/// objects, bytes as base64 text. Non-finite numbers, which JSON cannot hold, become the text
/// <c>NaN</c>, <c>Infinity</c> or <c>-Infinity</c>.
/// </summary>
internal static class ValueJson
{
    /// <summary>Converts a value; bytes longer than <paramref name="maxInlineBinaryBytes"/> are left out (null, <paramref name="omitted"/> set).</summary>
    public static JsonNode? ToJson(object? value, long maxInlineBinaryBytes, out bool omitted)
    {
        var budget = new Budget(maxInlineBinaryBytes);
        var node = Convert(value, budget);
        omitted = budget.Exceeded;
        return budget.Exceeded ? null : node;
    }

    private static JsonNode? Convert(object? value, Budget budget) => value switch
    {
        null => null,
        double d when double.IsFinite(d) => JsonValue.Create(d),
        double d => JsonValue.Create(d.ToString(CultureInfo.InvariantCulture)),
        bool b => JsonValue.Create(b),
        string s => JsonValue.Create(s),
        long l => JsonValue.Create(l),
        ulong u => JsonValue.Create(u),
        byte[] bytes => budget.Take(bytes.LongLength) ? JsonValue.Create(System.Convert.ToBase64String(bytes)) : null,
        object?[] items => new JsonArray(items.Select(i => Convert(i, budget)).ToArray()),
        IReadOnlyDictionary<string, object?> record => ToObject(record, budget),
        _ => JsonValue.Create(System.Convert.ToString(value, CultureInfo.InvariantCulture)),
    };

    private static JsonObject ToObject(IReadOnlyDictionary<string, object?> record, Budget budget)
    {
        var obj = new JsonObject();
        foreach (var (key, item) in record.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            obj[key] = Convert(item, budget);
        }

        return obj;
    }

    private sealed class Budget(long remaining)
    {
        public bool Exceeded { get; private set; }

        public bool Take(long bytes)
        {
            remaining -= bytes;
            if (remaining < 0) Exceeded = true;
            return !Exceeded;
        }
    }
}
