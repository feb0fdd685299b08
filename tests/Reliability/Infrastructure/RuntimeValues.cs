namespace VoxScheduler.Tests.Infrastructure;

/// <summary>Checks that an object is a runtime value (data), nothing else.</summary>
internal static class RuntimeValues
{
    /// <summary>Fails unless <paramref name="value"/> is made only of the runtime value types of ValueCodec.</summary>
    public static void AssertIsData(object? value, int depth = 0)
    {
        Assert.True(depth < 1000, "value nested absurdly deep");
        switch (value)
        {
            case null or double or bool or string or byte[] or ulong or long:
                return;
            case object?[] items:
                foreach (var item in items) AssertIsData(item, depth + 1);
                return;
            case IReadOnlyDictionary<string, object?> record:
                foreach (var item in record.Values) AssertIsData(item, depth + 1);
                return;
            default:
                Assert.Fail($"A decoded value of type {value.GetType().FullName} is not data.");
                return;
        }
    }

    /// <summary>Structural equality of runtime values (sequences and records compared item by item).</summary>
    public static bool DeepEquals(object? a, object? b)
    {
        switch (a, b)
        {
            case (null, null):
                return true;
            case (byte[] x, byte[] y):
                return x.AsSpan().SequenceEqual(y);
            case (object?[] x, object?[] y):
                if (x.Length != y.Length) return false;
                for (var i = 0; i < x.Length; i++)
                {
                    if (!DeepEquals(x[i], y[i])) return false;
                }

                return true;
            case (IReadOnlyDictionary<string, object?> x, IReadOnlyDictionary<string, object?> y):
                return x.Count == y.Count && x.All(kv => y.TryGetValue(kv.Key, out var other) && DeepEquals(kv.Value, other));
            default:
                return Equals(a, b);
        }
    }
}
