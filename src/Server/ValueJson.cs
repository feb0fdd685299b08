using System.Globalization;
using System.Text.Json.Nodes;

namespace VoxScheduler.Server;

/// <summary>
/// Runtime values as JSON: numbers, booleans, strings, null, sequences as arrays, records as
/// objects, bytes as base64 text, images by their description (<see cref="ImageContent.Describe"/>), never their voxels. Non-finite numbers, which JSON cannot hold, become the text
/// <c>NaN</c>, <c>Infinity</c> or <c>-Infinity</c>.
/// </summary>
internal static class ValueJson
{
    /// <summary>
    /// Converts a value whose JSON stays within about <paramref name="maxInlineBytes"/>; a larger one
    /// (bytes, a long sequence, a long string) is left out (null, <paramref name="omitted"/> set),
    /// and conversion stops as soon as the budget is spent, so a huge value costs no huge tree.
    /// </summary>
    public static JsonNode? ToJson(object? value, long maxInlineBytes, out bool omitted)
    {
        var budget = new Budget(maxInlineBytes);
        var node = Convert(value, budget);
        omitted = budget.Exceeded;
        return budget.Exceeded ? null : node;
    }

    // Sizes are estimates of the JSON text (a number up to 24 characters, a string its length plus quotes).
    private static JsonNode? Convert(object? value, Budget budget)
    {
        if (budget.Exceeded) return null;
        if (value is null)
        {
            budget.Take(4);
            return null;
        }

        return value switch
        {
            double d when double.IsFinite(d) => budget.Take(24) ? JsonValue.Create(d) : null,
            double d => budget.Take(11) ? JsonValue.Create(d.ToString(CultureInfo.InvariantCulture)) : null,
            bool b => budget.Take(5) ? JsonValue.Create(b) : null,
            string s => budget.Take(s.Length + 2L) ? JsonValue.Create(s) : null,
            long l => budget.Take(20) ? JsonValue.Create(l) : null,
            ulong u => budget.Take(20) ? JsonValue.Create(u) : null,
            byte[] bytes => budget.Take((bytes.LongLength + 2) / 3 * 4 + 2) ? JsonValue.Create(System.Convert.ToBase64String(bytes)) : null,
            object?[] items => ToArray(items, budget),
            IReadOnlyDictionary<string, object?> record => ToObject(record, budget),
            Images.Image image => budget.Take(400) ? ImageContent.Describe(image) : null,
            _ => JsonValue.Create(System.Convert.ToString(value, CultureInfo.InvariantCulture)),
        };
    }

    private static JsonArray? ToArray(object?[] items, Budget budget)
    {
        if (!budget.Take(2)) return null;
        var array = new JsonArray();
        foreach (var item in items)
        {
            var node = Convert(item, budget);
            if (budget.Exceeded || !budget.Take(1)) return null;
            array.Add(node);
        }

        return array;
    }

    private static JsonObject? ToObject(IReadOnlyDictionary<string, object?> record, Budget budget)
    {
        var obj = new JsonObject();
        foreach (var (key, item) in record.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!budget.Take(key.Length + 4L)) return null;
            obj[key] = Convert(item, budget);
            if (budget.Exceeded) return null;
        }

        return obj;
    }

    /// <summary>Writes a value as JSON straight to <paramref name="output"/>, flushing as it goes (the content endpoint: no size limit, no tree).</summary>
    public static async Task WriteAsync(Stream output, object? value, CancellationToken cancellationToken)
    {
        await using var writer = new System.Text.Json.Utf8JsonWriter(output, new System.Text.Json.JsonWriterOptions { SkipValidation = true, MaxDepth = ServerApp.DeepJson.MaxDepth });
        await WriteAsync(writer, value, cancellationToken);
        await writer.FlushAsync(cancellationToken);
    }

    private static async ValueTask WriteAsync(System.Text.Json.Utf8JsonWriter writer, object? value, CancellationToken cancellationToken)
    {
        if (writer.BytesPending > 64 * 1024) await writer.FlushAsync(cancellationToken);
        switch (value)
        {
            case null: writer.WriteNullValue(); break;
            case double d when double.IsFinite(d): writer.WriteNumberValue(d); break;
            case double d: writer.WriteStringValue(d.ToString(CultureInfo.InvariantCulture)); break;
            case bool b: writer.WriteBooleanValue(b); break;
            case string s: writer.WriteStringValue(s); break;
            case long l: writer.WriteNumberValue(l); break;
            case ulong u: writer.WriteNumberValue(u); break;
            case byte[] bytes: writer.WriteBase64StringValue(bytes); break;
            case Images.Image image: ImageContent.Describe(image).WriteTo(writer); break;
            case object?[] items:
                writer.WriteStartArray();
                foreach (var item in items) await WriteAsync(writer, item, cancellationToken);
                writer.WriteEndArray();
                break;
            case IReadOnlyDictionary<string, object?> record:
                writer.WriteStartObject();
                foreach (var (key, item) in record.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(key);
                    await WriteAsync(writer, item, cancellationToken);
                }

                writer.WriteEndObject();
                break;
            default: writer.WriteStringValue(System.Convert.ToString(value, CultureInfo.InvariantCulture)); break;
        }
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
