using System.Collections;
using System.Management.Automation;
using System.Text.Json;
using VoxScheduler.Values;

namespace VoxScheduler.Cmdlets.Dags;

/// <summary>Turns PowerShell objects (PSObject wrappers, hashtables, custom objects, JSON) into engine values.</summary>
internal static class PSValue
{
    /// <summary>Strips PSObject wrappers (but keeps PSCustomObject, which is its own value).</summary>
    public static object? Unwrap(object? value) =>
        value is PSObject ps && ps.BaseObject is not PSCustomObject ? ps.BaseObject : value;

    /// <summary>A PowerShell value as a runtime value (numbers to double, hashtables and custom objects to records, lists to arrays).</summary>
    public static object? ToRuntime(object? value, int depth = 0)
    {
        if (depth > 256) throw new ArgumentException("Values nested deeper than 256 levels are not supported.");
        value = Unwrap(value);
        switch (value)
        {
            case null:
                return null;
            case PSObject custom:
                var record = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var p in custom.Properties)
                {
                    record[p.Name] = ToRuntime(p.Value, depth + 1);
                }

                return record;
            case JsonElement element:
                return VoxScheduler.Dag.DagJson.ToValue(element);
            case string or double or bool or byte[] or long or ulong:
                return value;
            case int or float or decimal or short or uint or byte or sbyte or ushort:
                return Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture);
            case IDictionary dict:
                var result = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (DictionaryEntry e in dict)
                {
                    result[e.Key.ToString() ?? string.Empty] = ToRuntime(e.Value, depth + 1);
                }

                return result;
            case IEnumerable seq:
                return seq.Cast<object?>().Select(v => ToRuntime(v, depth + 1)).ToArray();
            default:
                return ValueCodec.Normalize(value);
        }
    }

    /// <summary>A property of a hashtable, dictionary or PowerShell object by any of several names (case-insensitive).</summary>
    public static bool TryGet(object? container, out object? value, params string[] names)
    {
        container = Unwrap(container);
        foreach (var name in names)
        {
            switch (container)
            {
                case IDictionary<string, object?> typed:
                    foreach (var kv in typed)
                    {
                        if (kv.Key.Equals(name, StringComparison.OrdinalIgnoreCase))
                        {
                            value = kv.Value;
                            return true;
                        }
                    }

                    break;
                case IDictionary dict:
                    foreach (DictionaryEntry e in dict)
                    {
                        if (string.Equals(e.Key?.ToString(), name, StringComparison.OrdinalIgnoreCase))
                        {
                            value = e.Value;
                            return true;
                        }
                    }

                    break;
                case PSObject ps:
                    var property = ps.Properties[name];
                    if (property is not null)
                    {
                        value = property.Value;
                        return true;
                    }

                    break;
            }
        }

        value = null;
        return false;
    }

    /// <summary>True for objects with named members (hashtables, dictionaries, custom objects).</summary>
    public static bool IsRecordLike(object? value)
    {
        value = Unwrap(value);
        return value is IDictionary or IDictionary<string, object?> or PSObject;
    }

    /// <summary>The member names and values of a record-like object, in their order.</summary>
    public static IEnumerable<KeyValuePair<string, object?>> Members(object? value)
    {
        value = Unwrap(value);
        switch (value)
        {
            case IDictionary<string, object?> typed:
                foreach (var kv in typed) yield return kv;
                break;
            case IDictionary dict:
                foreach (DictionaryEntry e in dict) yield return new(e.Key?.ToString() ?? string.Empty, e.Value);
                break;
            case PSObject ps:
                foreach (var p in ps.Properties) yield return new(p.Name, p.Value);
                break;
        }
    }

    /// <summary>A single value or a list of values as strings.</summary>
    public static IReadOnlyList<string> StringList(object? value)
    {
        value = Unwrap(value);
        return value switch
        {
            null => [],
            string s => [s],
            IEnumerable seq => seq.Cast<object?>().Select(v => Unwrap(v) switch
            {
                Output.VoxNode node => node.Name,
                var other => other?.ToString() ?? string.Empty,
            }).ToList(),
            Output.VoxNode node => [node.Name],
            _ => [value.ToString() ?? string.Empty],
        };
    }
}
