using System.Text.Json;

namespace VoxScheduler.Tests;

/// <summary>Compares JSON values the way the acceptance files mean them: numbers as doubles, everything else exactly.</summary>
internal static class JsonAssert
{
    public static void Equal(JsonElement expected, JsonElement actual, string context, double tolerance = 0)
    {
        if (expected.ValueKind == JsonValueKind.Number)
        {
            Assert.True(actual.ValueKind == JsonValueKind.Number, $"{context}: expected the number {expected}, got {actual.GetRawText()}");
            var (e, a) = (expected.GetDouble(), actual.GetDouble());
            Assert.True(Math.Abs(e - a) <= tolerance, $"{context}: expected {e}, got {a}");
            return;
        }

        Assert.True(expected.ValueKind == actual.ValueKind
                || (expected.ValueKind is JsonValueKind.True or JsonValueKind.False && actual.ValueKind is JsonValueKind.True or JsonValueKind.False),
            $"{context}: expected {expected.GetRawText()}, got {actual.GetRawText()}");
        switch (expected.ValueKind)
        {
            case JsonValueKind.Array:
                var (ea, aa) = (expected.EnumerateArray().ToList(), actual.EnumerateArray().ToList());
                Assert.True(ea.Count == aa.Count, $"{context}: expected {expected.GetRawText()}, got {actual.GetRawText()}");
                for (var i = 0; i < ea.Count; i++) Equal(ea[i], aa[i], $"{context}[{i}]", tolerance);
                break;
            case JsonValueKind.Object:
                var names = expected.EnumerateObject().Select(p => p.Name).Order().ToList();
                Assert.Equal(names, actual.EnumerateObject().Select(p => p.Name).Order().ToList());
                foreach (var name in names) Equal(expected.GetProperty(name), actual.GetProperty(name), $"{context}.{name}", tolerance);
                break;
            case JsonValueKind.String:
                Assert.Equal(expected.GetString(), actual.GetString());
                break;
            case JsonValueKind.True or JsonValueKind.False:
                Assert.Equal(expected.GetBoolean(), actual.GetBoolean());
                break;
        }
    }
}
