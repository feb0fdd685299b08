using System.Collections;
using System.Globalization;
using System.Text.Json;

namespace VoxScheduler.Storage;

/// <summary>
/// User metadata as JSON: strings, numbers (read back as double), booleans, null, arrays and
/// nested dictionaries. Anything else is rejected up front rather than stored lossily.
/// </summary>
internal static class UserMetadataJson
{
    private const int MaxDepth = 64;

    public static string? Serialize(IReadOnlyDictionary<string, object?>? metadata)
    {
        if (metadata is null || metadata.Count == 0) return null;
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteValue(writer, metadata, 0);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    public static Dictionary<string, object?>? Parse(string? json)
    {
        if (string.IsNullOrEmpty(json)) return null;
        using var document = JsonDocument.Parse(json);
        return ToValue(document.RootElement) as Dictionary<string, object?>;
    }

    /// <summary>Applies an update: keys with a null value are removed, others replaced.</summary>
    public static Dictionary<string, object?> Merge(IReadOnlyDictionary<string, object?>? current, IReadOnlyDictionary<string, object?> update)
    {
        var merged = current is null ? new Dictionary<string, object?>(StringComparer.Ordinal) : new Dictionary<string, object?>(current, StringComparer.Ordinal);
        foreach (var (key, value) in update)
        {
            if (value is null) merged.Remove(key);
            else merged[key] = value;
        }

        return merged;
    }

    public static void WriteValue(Utf8JsonWriter writer, object? value, int depth)
    {
        if (depth > MaxDepth) throw new ArgumentException($"Metadata nested deeper than {MaxDepth} levels is not supported.");
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case double d:
                WriteDouble(writer, d);
                break;
            case float f:
                WriteDouble(writer, f);
                break;
            case int or long or short or byte or sbyte or uint or ushort or ulong or decimal:
                writer.WriteNumberValue(Convert.ToDecimal(value, CultureInfo.InvariantCulture));
                break;
            case char c:
                writer.WriteStringValue(c.ToString());
                break;
            case DateTimeOffset dto:
                writer.WriteStringValue(dto.ToString("O", CultureInfo.InvariantCulture));
                break;
            case DateTime dt:
                writer.WriteStringValue(dt.ToString("O", CultureInfo.InvariantCulture));
                break;
            case Guid g:
                writer.WriteStringValue(g.ToString());
                break;
            case Enum e:
                writer.WriteStringValue(e.ToString());
                break;
            case IReadOnlyDictionary<string, object?> record:
                writer.WriteStartObject();
                foreach (var (key, item) in record)
                {
                    writer.WritePropertyName(key);
                    WriteValue(writer, item, depth + 1);
                }

                writer.WriteEndObject();
                break;
            case IDictionary dict:
                writer.WriteStartObject();
                foreach (DictionaryEntry entry in dict)
                {
                    writer.WritePropertyName(Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty);
                    WriteValue(writer, entry.Value, depth + 1);
                }

                writer.WriteEndObject();
                break;
            case IEnumerable sequence:
                writer.WriteStartArray();
                foreach (var item in sequence)
                {
                    WriteValue(writer, item, depth + 1);
                }

                writer.WriteEndArray();
                break;
            default:
                throw new ArgumentException($"A metadata value of type {value.GetType().FullName} is not supported (use strings, numbers, booleans, null, arrays or dictionaries).");
        }
    }

    private static void WriteDouble(Utf8JsonWriter writer, double d)
    {
        if (double.IsFinite(d)) writer.WriteNumberValue(d);
        else writer.WriteStringValue(d.ToString(CultureInfo.InvariantCulture));
    }

    public static object? ToValue(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Array => element.EnumerateArray().Select(ToValue).ToArray(),
        JsonValueKind.Object => element.EnumerateObject().ToDictionary(p => p.Name, p => ToValue(p.Value), StringComparer.Ordinal),
        _ => null,
    };
}
