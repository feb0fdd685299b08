using VoxScheduler.Values.Kinds;

namespace VoxScheduler.Values;

/// <summary>
/// The registry of value kinds, one per process: the built-in kinds, then whatever higher layers
/// register (images). Lookups by value and by tag are lock-free reads of an immutable snapshot;
/// registering replaces the snapshot.
/// </summary>
public static class ValueKinds
{
    private static readonly Lock Gate = new();

    /// <summary>The kinds every process has; their tags are the stored form's (never renumber).</summary>
    private static readonly ValueKind[] Builtins =
    [
        NullKind.Instance, NumberKind.Instance, BooleanKind.Instance, StringKind.Instance, BytesKind.Instance,
        SequenceKind.Instance, UInt64Kind.Instance, Int64Kind.Instance, RecordKind.Instance,
    ];

    private static volatile Snapshot _snapshot = new([.. Builtins]);

    /// <summary>Every registered kind, built-in first.</summary>
    public static IReadOnlyList<ValueKind> All => _snapshot.Kinds;

    /// <summary>Registers a kind (idempotent for the same instance).</summary>
    /// <exception cref="InvalidOperationException">Another kind has the same tag.</exception>
    public static void Register(ValueKind kind)
    {
        ArgumentNullException.ThrowIfNull(kind);
        lock (Gate)
        {
            var current = _snapshot;
            if (current.Kinds.Contains(kind)) return;
            if (current.ByTag[kind.Tag] is { } other)
            {
                throw new InvalidOperationException($"The value kind '{kind.Name}' cannot take tag {kind.Tag}: '{other.Name}' has it.");
            }

            var next = new Snapshot([.. current.Kinds, kind]);
            _snapshot = next;
        }
    }

    /// <summary>The kind with this tag, or null.</summary>
    public static ValueKind? FromTag(byte tag) => _snapshot.ByTag[tag];

    /// <summary>The kind of a runtime value, or null when the value has no kind (not a runtime value).</summary>
    public static ValueKind? Of(object? value) => value switch
    {
        // The built-in kinds without a lookup: this is the store's hot path.
        null => NullKind.Instance,
        double => NumberKind.Instance,
        bool => BooleanKind.Instance,
        string => StringKind.Instance,
        byte[] => BytesKind.Instance,
        object?[] => SequenceKind.Instance,
        ulong => UInt64Kind.Instance,
        long => Int64Kind.Instance,
        IReadOnlyDictionary<string, object?> => RecordKind.Instance,
        _ => OfRegistered(value),
    };

    /// <summary>The reader registered for a file's extension (the longest matching one: <c>.nii.gz</c> before <c>.gz</c>), or null.</summary>
    public static ValueFileReader? ReaderFor(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        ValueFileReader? best = null;
        var bestLength = 0;
        foreach (var kind in _snapshot.Kinds)
        {
            foreach (var reader in kind.FileReaders)
            {
                foreach (var extension in reader.Extensions)
                {
                    if (extension.Length > bestLength && path.EndsWith(extension, StringComparison.OrdinalIgnoreCase))
                    {
                        best = reader;
                        bestLength = extension.Length;
                    }
                }
            }
        }

        return best;
    }

    /// <summary>
    /// The writer registered for a file's extension, with the kind that registered it (the
    /// longest matching extension), or null when no kind writes such files.
    /// </summary>
    public static (ValueKind Kind, ValueFileWriter Writer)? WriterFor(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        (ValueKind, ValueFileWriter)? best = null;
        var bestLength = 0;
        foreach (var kind in _snapshot.Kinds)
        {
            foreach (var writer in kind.FileWriters)
            {
                foreach (var extension in writer.Extensions)
                {
                    if (extension.Length > bestLength && path.EndsWith(extension, StringComparison.OrdinalIgnoreCase))
                    {
                        best = (kind, writer);
                        bestLength = extension.Length;
                    }
                }
            }
        }

        return best;
    }

    /// <summary>
    /// Estimated bytes a value holds in memory, counted through sequences and records and
    /// stopping past <paramref name="limit"/> (a huge structure is never walked whole).
    /// </summary>
    public static long EstimateSize(object? value, long limit = long.MaxValue)
    {
        long total = 0;
        var stack = new Stack<object?>();
        stack.Push(value);
        while (stack.TryPop(out var v) && total <= limit)
        {
            switch (v)
            {
                case object?[] items:
                    total += SequenceKind.Instance.SizeInBytes(items);
                    foreach (var item in items) stack.Push(item);
                    break;
                case IReadOnlyDictionary<string, object?> record:
                    total += RecordKind.Instance.SizeInBytes(record);
                    foreach (var item in record.Values) stack.Push(item);
                    break;
                default:
                    total += Of(v)?.SizeInBytes(v) ?? 24;
                    break;
            }
        }

        return total;
    }

    private static ValueKind? OfRegistered(object value)
    {
        var kinds = _snapshot.Kinds;
        for (var i = Builtins.Length; i < kinds.Length; i++)
        {
            if (kinds[i].Accepts(value)) return kinds[i];
        }

        return null;
    }

    private sealed class Snapshot
    {
        public Snapshot(ValueKind[] kinds)
        {
            Kinds = kinds;
            ByTag = new ValueKind?[256];
            foreach (var kind in kinds) ByTag[kind.Tag] = kind;
        }

        public ValueKind[] Kinds { get; }

        public ValueKind?[] ByTag { get; }
    }
}
