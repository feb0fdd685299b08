using System.Text.Json;

namespace VoxScheduler.Tests.Support;

/// <summary>
/// The semantics of an acceptance program's <c>NAME.expected.json</c> (tests/programs/README.md),
/// independent of how the program was run: give it the goals (in order), the validation
/// problems, and the folder the program ran in; it returns every mismatch. The one C# reader of
/// expected.json: the engine and server tests check programs the same way.
/// </summary>
public sealed class ExpectedOutcome
{
    private readonly JsonElement _root;

    private ExpectedOutcome(JsonElement root) => _root = root;

    /// <summary>One goal as the engine reported it.</summary>
    public sealed record Goal(string Name, bool Succeeded, object? Value, string? Error);

    /// <summary>One validation problem as reported.</summary>
    public sealed record Problem(int Line, int Column, string Message);

    public static ExpectedOutcome Load(string expectedJsonPath) =>
        new(JsonDocument.Parse(File.ReadAllText(expectedJsonPath)).RootElement.Clone());

    /// <summary>Print goals the program reports: those expected to succeed and those expected to fail.</summary>
    public int PrintGoalCount => Count("goals") + Count("failed");

    /// <summary>True when some goal must fail (the execution as a whole then fails).</summary>
    public bool ExpectsFailures => Count("failed") > 0;

    private int Count(string property) => _root.TryGetProperty(property, out var items) ? items.GetArrayLength() : 0;

    /// <summary>True when the program must be rejected before running.</summary>
    public bool ExpectsValidationErrors => _root.TryGetProperty("validation_errors", out _);

    /// <summary>Mismatches of a rejected program; every expected problem must be reported (others may be too).</summary>
    public List<string> CheckValidation(IReadOnlyList<Problem> problems)
    {
        var mismatches = new List<string>();
        if (!_root.TryGetProperty("validation_errors", out var expected))
        {
            mismatches.Add($"the program was rejected but should run: {string.Join(" | ", problems.Select(p => p.Message))}");
            return mismatches;
        }

        foreach (var e in expected.EnumerateArray())
        {
            var line = e.GetProperty("line").GetInt32();
            var column = e.GetProperty("column").GetInt32();
            var contains = e.TryGetProperty("message_contains", out var m) ? m.GetString() ?? string.Empty : string.Empty;
            if (!problems.Any(p => p.Line == line && p.Column == column && p.Message.Contains(contains, StringComparison.Ordinal)))
            {
                mismatches.Add($"expected a problem at {line}:{column} containing \"{contains}\"; got: {string.Join(" | ", problems.Select(p => $"{p.Line}:{p.Column} {p.Message}"))}");
            }
        }

        return mismatches;
    }

    /// <summary>Mismatches of a program that ran: print goals in order, failures, and saved files under <paramref name="workingDirectory"/>.</summary>
    public List<string> CheckRun(IReadOnlyList<Goal> goals, string workingDirectory)
    {
        var mismatches = new List<string>();
        if (ExpectsValidationErrors)
        {
            mismatches.Add("the program ran but should have been rejected");
            return mismatches;
        }

        var tolerance = _root.TryGetProperty("tolerance", out var t) ? t.GetDouble() : 0;
        var failedNames = new HashSet<string>(StringComparer.Ordinal);
        if (_root.TryGetProperty("failed", out var failed))
        {
            foreach (var f in failed.EnumerateArray())
            {
                var name = f.GetProperty("name").GetString()!;
                failedNames.Add(name);
                var contains = f.TryGetProperty("message_contains", out var m) ? m.GetString() ?? string.Empty : string.Empty;
                var goal = goals.FirstOrDefault(g => g.Name == name);
                if (goal is null) mismatches.Add($"goal '{name}' was not reported");
                else if (goal.Succeeded) mismatches.Add($"goal '{name}' should fail but produced {Show(goal.Value)}");
                else if (!(goal.Error ?? string.Empty).Contains(contains, StringComparison.OrdinalIgnoreCase))
                    mismatches.Add($"goal '{name}' failed with \"{goal.Error}\", which does not contain \"{contains}\"");
            }
        }

        if (_root.TryGetProperty("goals", out var expectedGoals))
        {
            var order = new List<string>();
            foreach (var g in expectedGoals.EnumerateArray())
            {
                var name = g.GetProperty("name").GetString()!;
                order.Add(name);
                var goal = goals.FirstOrDefault(x => x.Name == name);
                if (goal is null) mismatches.Add($"goal '{name}' was not reported");
                else if (!goal.Succeeded) mismatches.Add($"goal '{name}' failed: {goal.Error}");
                else if (!JsonEquals(g.GetProperty("value"), goal.Value, tolerance))
                    mismatches.Add($"goal '{name}': expected {g.GetProperty("value").GetRawText()}, got {Show(goal.Value)}");
            }

            // Reported in source order: the expected goals appear in the reported order.
            var reported = goals.Select(x => x.Name).Where(n => order.Contains(n)).ToList();
            if (!reported.SequenceEqual(order)) mismatches.Add($"goals reported in order [{string.Join(", ", reported)}], expected [{string.Join(", ", order)}]");
        }

        if (_root.TryGetProperty("files", out var files))
        {
            foreach (var f in files.EnumerateObject())
            {
                var path = Path.Combine(workingDirectory, f.Name);
                if (!File.Exists(path))
                {
                    mismatches.Add($"file {f.Name} was not written");
                    continue;
                }

                var text = File.ReadAllText(path);
                if (f.Value.ValueKind == JsonValueKind.String)
                {
                    if (text != f.Value.GetString()) mismatches.Add($"file {f.Name}: expected \"{f.Value.GetString()}\", got \"{text}\"");
                }
                else
                {
                    try
                    {
                        using var doc = JsonDocument.Parse(text);
                        if (!JsonEquals(f.Value, FromJson(doc.RootElement), tolerance)) mismatches.Add($"file {f.Name}: expected {f.Value.GetRawText()}, got {text}");
                    }
                    catch (JsonException e)
                    {
                        mismatches.Add($"file {f.Name} is not JSON: {e.Message}");
                    }
                }
            }
        }

        return mismatches;
    }

    private static object? FromJson(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Number => e.GetDouble(),
        JsonValueKind.String => e.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Array => e.EnumerateArray().Select(FromJson).ToArray(),
        JsonValueKind.Object => e.EnumerateObject().ToDictionary(p => p.Name, p => FromJson(p.Value)),
        _ => null,
    };

    /// <summary>Compares an expected JSON value with a runtime value (numbers as doubles; JsonElement values accepted too).</summary>
    public static bool JsonEquals(JsonElement expected, object? actual, double tolerance = 0)
    {
        if (actual is JsonElement je) actual = FromJson(je);
        switch (expected.ValueKind)
        {
            case JsonValueKind.Number:
                double? number = actual switch { double d => d, long l => l, ulong u => u, int i => i, float f => f, decimal m => (double)m, _ => null };
                return number is { } n && (tolerance > 0 ? Math.Abs(n - expected.GetDouble()) <= tolerance : n == expected.GetDouble());
            case JsonValueKind.String:
                return actual is string s && s == expected.GetString();
            case JsonValueKind.True:
            case JsonValueKind.False:
                return actual is bool b && b == (expected.ValueKind == JsonValueKind.True);
            case JsonValueKind.Null:
                return actual is null;
            case JsonValueKind.Array:
                var items = actual switch
                {
                    object?[] a => a,
                    System.Collections.IEnumerable e when actual is not string and not IDictionary<string, object?> => e.Cast<object?>().ToArray(),
                    _ => null,
                };
                if (items is null || items.Length != expected.GetArrayLength()) return false;
                var i2 = 0;
                foreach (var item in expected.EnumerateArray())
                {
                    if (!JsonEquals(item, items[i2++], tolerance)) return false;
                }

                return true;
            case JsonValueKind.Object:
                if (actual is not IReadOnlyDictionary<string, object?> record) return false;
                return expected.EnumerateObject().Count() == record.Count
                    && expected.EnumerateObject().All(p => record.TryGetValue(p.Name, out var v) && JsonEquals(p.Value, v, tolerance));
            default:
                return false;
        }
    }

    private static string Show(object? value) => value switch
    {
        null => "null",
        string s => "\"" + s + "\"",
        object?[] a => "[" + string.Join(", ", a.Select(Show)) + "]",
        double d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "?",
    };
}
