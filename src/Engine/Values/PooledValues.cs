namespace VoxScheduler.Values;

/// <summary>
/// The scheduler's side of <see cref="IPooledValue"/>: retain, release and share a runtime
/// value, looking inside sequences and records for pooled values they contain (a sequence that
/// holds an image is a place the image's holders are not counted, so the image is shared).
/// Until the first pooled value is created (<see cref="MarkInUse"/>), compound values are not
/// walked: programs without images pay nothing.
/// </summary>
internal static class PooledValues
{
    private static volatile bool s_inUse;

    /// <summary>True once some pooled value exists in the process.</summary>
    public static bool InUse => s_inUse;

    /// <summary>Called by a pool when it hands out its first buffer.</summary>
    public static void MarkInUse() => s_inUse = true;

    /// <summary>Counts one more holder when <paramref name="value"/> is itself a pooled value.</summary>
    public static void Retain(object? value)
    {
        if (value is IPooledValue pooled) pooled.Retain();
    }

    /// <summary>A holder of <paramref name="value"/> (retained with <see cref="Retain"/>) is done with it.</summary>
    public static void Release(object? value)
    {
        if (value is IPooledValue pooled) pooled.Release();
    }

    /// <summary>Shares <paramref name="value"/> and every pooled value inside it (sequence items, record fields, nested).</summary>
    public static void Share(object? value)
    {
        if (value is IPooledValue pooled)
        {
            pooled.Share();
            return;
        }

        if (s_inUse) ShareInside(value);
    }

    /// <summary>Shares the pooled values inside a compound value (not the value itself): what a sequence or record holds escapes the count.</summary>
    public static void ShareContents(object? value)
    {
        if (!s_inUse || value is IPooledValue) return;
        if (value is object?[] items && Array.TrueForAll(items, i => i is not (IPooledValue or object?[] or IReadOnlyDictionary<string, object?>))) return;
        if (value is object?[] or IReadOnlyDictionary<string, object?>) ShareInside(value);
    }

    // Iterative, with the compounds already seen skipped: a value nested at any depth (or, built
    // by code outside the engine, containing itself) is walked once and never overflows the stack.
    private static void ShareInside(object? value)
    {
        var pending = new Stack<object>();
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        if (value is not null) pending.Push(value);
        while (pending.TryPop(out var current))
        {
            switch (current)
            {
                case IPooledValue pooled:
                    pooled.Share();
                    break;
                case object?[] items when seen.Add(items):
                    foreach (var item in items)
                    {
                        if (item is IPooledValue or object?[] or IReadOnlyDictionary<string, object?>) pending.Push(item);
                    }

                    break;
                case IReadOnlyDictionary<string, object?> record when seen.Add(record):
                    foreach (var field in record.Values)
                    {
                        if (field is IPooledValue or object?[] or IReadOnlyDictionary<string, object?>) pending.Push(field);
                    }

                    break;
            }
        }
    }
}
