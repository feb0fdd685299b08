using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using VoxScheduler.Values;

namespace VoxScheduler.Operations.Builtins;

/// <summary>The <c>default</c> namespace of docs/language.md §7 (always available), plus the internal operations the compiler emits.</summary>
public static class DefaultNamespace
{
    /// <summary>
    /// Longest sequence <c>range</c> produces: one million numbers (about 32 MB held as one
    /// value); a loop over it also counts against the execution node budget.
    /// </summary>
    public const long MaxRangeLength = 1_000_000;

    /// <summary>Adds every operation of the namespace.</summary>
    public static void Register(OperationRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry.RegisterRange(Create());
    }

    /// <summary>Revision of <c>default.sequence</c>; loop expansion builds such nodes itself and must use the same.</summary>
    internal const int SequenceRevision = 1;

    /// <summary>Revision of <c>default.load</c>: 2 since files of registered value kinds (images) are read by their kind's reader.</summary>
    internal const int LoadRevision = 2;

    /// <summary>Revision of <c>default.where</c> (see <see cref="SequenceRevision"/>).</summary>
    internal const int WhereRevision = 1;

    /// <summary>Revision of <c>default.concat_sequences</c> (see <see cref="SequenceRevision"/>).</summary>
    internal const int ConcatSequencesRevision = 1;

    /// <summary>
    /// Revision of the primitives that also work on images (IMAGES.md §4: + - * /, comparisons,
    /// and/or/not, abs, min, max): bumped from 1 when they learned images.
    /// </summary>
    internal const int ImageAwareRevision = 2;

    /// <summary>An image-aware primitive: a registered value-kind extension's meaning when it takes the call, else <paramref name="scalar"/>.</summary>
    private static Func<OperationContext, object?> Extended(string name, Func<OperationContext, object?> scalar) =>
        c => DefaultPrimitiveExtensions.TryApply(name, c, out var r) ? r : scalar(c);

    private static Operation ImageAware(string name, int arity, string description, Func<OperationContext, object?> scalar) =>
        Op(name, arity, arity, description, Extended(name, scalar), revision: ImageAwareRevision);

    private static Operation Op(string name, int min, int max, string description, Func<OperationContext, object?> body, Purity purity = Purity.Pure,
        int revision = 1) =>
        Operation.Create("default." + name, min, max, body, revision, purity, description);

    private static IEnumerable<Operation> Create()
    {
        // arithmetic, element-wise on sequences
        yield return ImageAware("add", 2, "a + b: numbers, element-wise on sequences; concatenates two strings; voxel-wise on images.", c => Arithmetic.Binary(c, "+", c[0], c[1], static (x, y) => x + y));
        yield return ImageAware("sub", 2, "a - b, element-wise on sequences; voxel-wise on images.", c => Arithmetic.Binary(c, "-", c[0], c[1], static (x, y) => x - y));
        yield return ImageAware("mul", 2, "a * b, element-wise on sequences; voxel-wise on images.", c => Arithmetic.Binary(c, "*", c[0], c[1], static (x, y) => x * y));
        yield return ImageAware("div", 2, "a / b, element-wise on sequences; division by zero is an error (on images voxel-wise IEEE float32: ±∞ or NaN).", c => Arithmetic.Binary(c, "/", c[0], c[1], static (x, y) => x / y, checkZero: true));
        yield return Op("mod", 2, 2, "a % b (remainder with the sign of a), element-wise; modulo zero is an error.", c => Arithmetic.Binary(c, "%", c[0], c[1], static (x, y) => x % y, checkZero: true));
        yield return Op("neg", 1, 1, "-a, element-wise on sequences.", c => Arithmetic.Unary(c, "neg", c[0], static x => -x));

        // comparisons and logic
        yield return ImageAware("eq", 2, "a == b: structural equality of any two values; voxel-wise on number images.", c => Arithmetic.ValueEquals(c[0], c[1]));
        yield return ImageAware("neq", 2, "a != b; voxel-wise on number images.", c => !Arithmetic.ValueEquals(c[0], c[1]));
        yield return ImageAware("lt", 2, "a < b on numbers or strings; voxel-wise on number images.", c => Arithmetic.Compare(c, "<", c[0], c[1]) < 0);
        yield return ImageAware("leq", 2, "a <= b on numbers or strings; voxel-wise on number images.", c => Arithmetic.Compare(c, "<=", c[0], c[1]) <= 0);
        yield return ImageAware("gt", 2, "a > b on numbers or strings; voxel-wise on number images.", c => Arithmetic.Compare(c, ">", c[0], c[1]) > 0);
        yield return ImageAware("geq", 2, "a >= b on numbers or strings; voxel-wise on number images.", c => Arithmetic.Compare(c, ">=", c[0], c[1]) >= 0);
        yield return ImageAware("and", 2, "a && b on booleans; voxel-wise on boolean images.", c => c.Boolean(0) && c.Boolean(1));
        yield return ImageAware("or", 2, "a || b on booleans; voxel-wise on boolean images.", c => c.Boolean(0) || c.Boolean(1));
        yield return ImageAware("not", 1, "!a on a boolean; voxel-wise on a boolean image.", c => !c.Boolean(0));

        // sequences
        yield return Op("range", 1, 2, "range(stop) or range(start, stop): the integral numbers start, start+1, …, stop-1.", Range);
        yield return Op("sequence", 0, -1, "The array literal [a, b, …]: its arguments as a sequence.", c => c.Arguments.ToArray(), revision: SequenceRevision);
        yield return Op("index", 2, 2, "xs[i]: the item at zero-based integral index i (also characters of a string); out of range is an error.", Index);
        yield return Op("slice", 3, 3, "xs[a:b]: items a..b-1, bounds clamped to the length; a missing bound is null.", c => Slice(c, c[1], c[2]));
        yield return Op("subsequence", 2, 3, "subsequence(xs, start[, stop]): as xs[start:stop].", c => Slice(c, c[1], c.Count > 2 ? c[2] : null));
        yield return Op("map", 2, 2, "map(f, xs): f applied to every item (expanded by the compiler).",
            c => throw c.Fail("map is expanded by the compiler and cannot run as a node."));
        yield return Op("fold", 1, 2, "fold OP [init] xs: left fold with + - * / && || min max (written fold OP init seq).", Fold);
        yield return Op("length", 1, 1, "Number of items of a sequence (or characters of a string).", c => c[0] switch
        {
            object?[] s => (double)s.Length,
            string s => (double)s.Length,
            var other => throw c.TypeError(0, "a sequence or a string", other),
        });
        yield return Op("sum", 1, 1, "Sum of a sequence of numbers (0 when empty).", c => Numbers(c).Sum());
        yield return ImageAware("min", 1, "Smallest number of a non-empty sequence, or the smallest voxel of a number image.", c => NonEmpty(c, "min").Min());
        yield return ImageAware("max", 1, "Largest number of a non-empty sequence, or the largest voxel of a number image.", c => NonEmpty(c, "max").Max());
        yield return Op("mean", 1, 1, "Mean of a non-empty sequence of numbers.", c => NonEmpty(c, "mean").Average());
        yield return Op("argmax", 1, 1, "Index of the first largest number of a non-empty sequence.", c => ArgBest(c, "argmax", static (x, best) => x > best));
        yield return Op("argmin", 1, 1, "Index of the first smallest number of a non-empty sequence.", c => ArgBest(c, "argmin", static (x, best) => x < best));

        // numeric
        yield return ImageAware("abs", 1, "Absolute value, element-wise; voxel-wise on a number image.", c => Arithmetic.Unary(c, "abs", c[0], Math.Abs));
        yield return Op("floor", 1, 1, "Largest integral number not above x, element-wise.", c => Arithmetic.Unary(c, "floor", c[0], Math.Floor));
        yield return Op("ceil", 1, 1, "Smallest integral number not below x, element-wise.", c => Arithmetic.Unary(c, "ceil", c[0], Math.Ceiling));
        yield return Op("round", 1, 1, "Nearest integral number, halves away from zero, element-wise.", c => Arithmetic.Unary(c, "round", c[0], static x => Math.Round(x, MidpointRounding.AwayFromZero)));
        yield return Op("sqrt", 1, 1, "Square root, element-wise; negative numbers are an error.", c => Arithmetic.Unary(c, "sqrt", c[0], Math.Sqrt));
        yield return Op("exp", 1, 1, "e to the power x, element-wise.", c => Arithmetic.Unary(c, "exp", c[0], Math.Exp));
        yield return Op("log", 1, 1, "Natural logarithm, element-wise; x must be positive.", c => Arithmetic.Unary(c, "log", c[0], Math.Log));
        yield return Op("pow", 2, 2, "pow(x, y): x to the power y, element-wise.", c => Arithmetic.Binary(c, "pow", c[0], c[1], Math.Pow));

        // conversions
        yield return Op("to_string", 1, 1, "The value as text: numbers in shortest round-trip form (3, 0.5), invariant culture.", c => ValueText.ToText(c[0]));
        yield return Op("to_number", 1, 1, "A number from text (invariant culture: 1.5, 2e3); numbers pass through.", ToNumber);

        // files
        yield return Op("load", 1, 1, "load(path): files a value kind reads by extension (.nii, .nii.gz, .png, .jpg, .bmp: images), .json parsed, .txt/.csv as a sequence of lines, anything else as bytes. Keyed by the file's SHA-256.",
            c => Load(c, verify: true), Purity.ReadsFiles, revision: LoadRevision);
        yield return Op("load_volatile", 1, 1, "Internal: load with a path computed at run time; never served from the store.",
            c => Load(c, verify: false), Purity.NonDeterministic, revision: LoadRevision);
        yield return Op("dir", 1, 4, $"dir(root, pattern = \"*\", recursive = false, full_paths = false): the entries under root whose file name matches the glob, ordinal-sorted (at most {DirectoryListing.MaxEntries}); with constant arguments listed while the program is reduced.",
            Dir, Purity.NonDeterministic);

        // internal operations of the compiler
        yield return new ForEachOperation();
        yield return Op("where", 2, 2, "Internal: the items of a sequence whose mask entry is true (filter).", Where, revision: WhereRevision);
        yield return Op("concat_sequences", 0, -1, "Internal: the concatenation of sequences (an expanded loop's parts).",
            c => c.Arguments.SelectMany((a, i) => a as object?[] ?? throw c.TypeError(i, "a sequence", a)).ToArray(), revision: ConcatSequencesRevision);
        yield return Op("loop_variable", 0, 0, "Internal: placeholder for a loop variable inside a loop template; never runs.",
            c => throw c.Fail("a loop variable was evaluated outside its loop (internal error)."));
    }

    private static object? Range(OperationContext c)
    {
        var start = c.Count == 2 ? Arithmetic.Integral(c, c[0], "the start of range") : 0;
        var stop = Arithmetic.Integral(c, c[c.Count - 1], "the stop of range");
        var count = Math.Max(0, stop - start);
        if (count > MaxRangeLength)
        {
            throw c.Fail($"range of {count} items is longer than the limit of {MaxRangeLength}.");
        }

        var items = new object?[count];
        for (var i = 0; i < count; i++) items[i] = (double)(start + i);
        return items;
    }

    private static object? Index(OperationContext c)
    {
        var i = Arithmetic.Integral(c, c[1], "the index");
        switch (c[0])
        {
            case object?[] xs:
                if (i < 0 || i >= xs.Length)
                {
                    throw c.Fail($"index {i} is out of range for a sequence of {xs.Length} item{(xs.Length == 1 ? "" : "s")}.");
                }

                return xs[i];
            case string s:
                if (i < 0 || i >= s.Length)
                {
                    throw c.Fail($"index {i} is out of range for a string of {s.Length} characters.");
                }

                return s[(int)i].ToString();
            default:
                throw c.TypeError(0, "a sequence or a string", c[0]);
        }
    }

    private static object? Slice(OperationContext c, object? startValue, object? stopValue)
    {
        var length = c[0] switch
        {
            object?[] xs => xs.Length,
            string s => s.Length,
            _ => throw c.TypeError(0, "a sequence or a string", c[0]),
        };
        var start = startValue is null ? 0 : Arithmetic.Integral(c, startValue, "the start of the slice");
        var stop = stopValue is null ? length : Arithmetic.Integral(c, stopValue, "the stop of the slice");
        if (start < 0 || stop < 0)
        {
            throw c.Fail($"slice bounds must not be negative ({start}:{stop}).");
        }

        var a = (int)Math.Min(start, length);
        var b = (int)Math.Min(stop, length);
        if (b <= a)
        {
            return c[0] is string ? string.Empty : Array.Empty<object?>();
        }

        return c[0] is string text ? text[a..b] : ((object?[])c[0]!)[a..b];
    }

    private static object? Fold(OperationContext c)
    {
        var op = c.Attributes is not null && c.Attributes.TryGetValue("operator", out var o) ? ForEachOperation.AsString(o) : null;
        if (op is null)
        {
            throw c.Fail("fold needs its operator; write fold OP [init] seq.");
        }

        var items = c.Sequence(c.Count - 1);
        object? acc;
        var first = 0;
        if (c.Count == 2)
        {
            acc = c[0];
        }
        else
        {
            switch (op)
            {
                case "+" or "-": acc = 0d; break;
                case "*": acc = 1d; break;
                case "&&": acc = true; break;
                case "||": acc = false; break;
                case "min" or "max":
                    if (items.Length == 0) throw c.Fail($"fold {op} of an empty sequence has no value; give an initial value.");
                    acc = items[0];
                    first = 1;
                    break;
                default:
                    throw c.Fail($"fold {op} needs an initial value.");
            }
        }

        for (var i = first; i < items.Length; i++)
        {
            var x = items[i];
            acc = op switch
            {
                "+" => Arithmetic.Binary(c, "+", acc, x, static (a, b) => a + b),
                "-" => Arithmetic.Binary(c, "-", acc, x, static (a, b) => a - b),
                "*" => Arithmetic.Binary(c, "*", acc, x, static (a, b) => a * b),
                "/" => Arithmetic.Binary(c, "/", acc, x, static (a, b) => a / b, checkZero: true),
                "&&" => Bool(c, acc) && Bool(c, x),
                "||" => Bool(c, acc) || Bool(c, x),
                "min" => Arithmetic.Binary(c, "min", acc, x, Math.Min),
                "max" => Arithmetic.Binary(c, "max", acc, x, Math.Max),
                _ => throw c.Fail($"fold combines with + - * / && || min max, not '{op}'."),
            };
        }

        return acc;
    }

    private static bool Bool(OperationContext c, object? value) =>
        value is bool b ? b : throw c.Fail($"fold && and || need booleans, not {ValueCodec.TypeName(value)}.");

    private static double[] Numbers(OperationContext c) =>
        c.Sequence(0).Select((x, i) => Arithmetic.TryNumber(x, out var n) ? n : throw c.Fail($"item {i} is {ValueCodec.TypeName(x)}, not a number.")).ToArray();

    private static double[] NonEmpty(OperationContext c, string name)
    {
        var numbers = Numbers(c);
        return numbers.Length > 0 ? numbers : throw c.Fail($"{name} of an empty sequence has no value.");
    }

    private static object? ArgBest(OperationContext c, string name, Func<double, double, bool> better)
    {
        var numbers = NonEmpty(c, name);
        var best = 0;
        for (var i = 1; i < numbers.Length; i++)
        {
            if (better(numbers[i], numbers[best])) best = i;
        }

        return (double)best;
    }

    private static object? ToNumber(OperationContext c)
    {
        if (Arithmetic.TryNumber(c[0], out var n)) return n;
        var text = c.Text(0).Trim();
        if (double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
        {
            return d;
        }

        throw c.Fail($"\"{(text.Length > 40 ? text[..40] + "…" : text)}\" is not a number.");
    }

    private static object? Where(OperationContext c)
    {
        var items = c.Sequence(0);
        var mask = c.Sequence(1);
        if (items.Length != mask.Length)
        {
            throw c.Fail($"filter has {items.Length} items but {mask.Length} answers.");
        }

        var kept = new List<object?>();
        for (var i = 0; i < items.Length; i++)
        {
            if (mask[i] is not bool keep)
            {
                throw c.Fail($"the filter condition must be a boolean, not {ValueCodec.TypeName(mask[i])} (item {i}).");
            }

            if (keep) kept.Add(items[i]);
        }

        return kept.ToArray();
    }

    private static object? Dir(OperationContext c)
    {
        try
        {
            return DirectoryListing.List(c.Text(0), c.Count > 1 ? c.Text(1) : "*", c.Count > 2 && c.Boolean(2), c.Count > 3 && c.Boolean(3),
                c.Environment.WorkingDirectory, c.Environment.ReadRoot).Select(static p => (object?)p).ToArray();
        }
        catch (ArgumentException e)
        {
            throw c.Fail(e.Message);
        }
    }

    private static object? Load(OperationContext c, bool verify)
    {
        var relative = c.Text(0);
        var path = Path.GetFullPath(Path.Combine(c.Environment.WorkingDirectory, relative));

        // A value kind that reads this extension (images) owns the file; this layer never names the kind.
        if (ValueKinds.ReaderFor(path) is { } reader) return LoadDecoded(c, path, reader, verify);

        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw c.Fail($"cannot read {path}: {e.Message}");
        }

        VerifyUnchanged(c, path, bytes, verify);

        var extension = Path.GetExtension(path).ToLowerInvariant();
        switch (extension)
        {
            case ".json":
                try
                {
                    using var doc = JsonDocument.Parse(bytes);
                    return FromJson(doc.RootElement);
                }
                catch (JsonException e)
                {
                    throw c.Fail($"{path} is not valid JSON: {e.Message}");
                }

            case ".txt" or ".csv":
                var text = System.Text.Encoding.UTF8.GetString(bytes);
                var lines = text.Split('\n').Select(l => (object?)l.TrimEnd('\r')).ToList();
                if (lines.Count > 0 && (string?)lines[^1] == string.Empty) lines.RemoveAt(lines.Count - 1);
                return lines.ToArray();
            default:
                return bytes;
        }
    }

    /// <summary>
    /// Loads a file a value kind decodes (an image) through a pooled buffer: only the decoded value
    /// stays, so the file's bytes are not a fresh large array each load. A dataset's loads used to
    /// leave one such array per case for the next full collection, and peak memory grew with the
    /// number of cases rather than with the memory budget.
    /// </summary>
    private static object LoadDecoded(OperationContext c, string path, ValueFileReader reader, bool verify)
    {
        byte[] buffer;
        int length;
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
            var size = file.Length;
            if (size > Array.MaxLength)
            {
                throw c.Fail($"cannot read {path}: it is {size} bytes, more than a load reads ({Array.MaxLength}).");
            }

            buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, (int)size));
            try
            {
                // A file that shrank since its length was read gives what it has; one that grew, its first bytes.
                length = file.ReadAtLeast(buffer.AsSpan(0, (int)size), (int)size, throwOnEndOfStream: false);
            }
            catch
            {
                ArrayPool<byte>.Shared.Return(buffer);
                throw;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw c.Fail($"cannot read {path}: {e.Message}");
        }

        try
        {
            VerifyUnchanged(c, path, buffer.AsSpan(0, length), verify);
            return reader.Read(path, buffer.AsMemory(0, length));
        }
        catch (InvalidDataException e)
        {
            throw c.Fail(e.Message);
        }
        finally
        {
            // The readers decode into values of their own and keep no reference to the content.
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A compiled <c>load</c> carries its file's SHA-256: a file changed since is an error, not a silent other value.</summary>
    private static void VerifyUnchanged(OperationContext c, string path, ReadOnlySpan<byte> bytes, bool verify)
    {
        if (verify && c.Attributes is not null && c.Attributes.TryGetValue("sha256", out var expected)
            && ForEachOperation.AsString(expected) is { } hash && !string.Equals(hash, Convert.ToHexStringLower(SHA256.HashData(bytes)), StringComparison.Ordinal))
        {
            throw c.Fail($"{path} changed since the program was compiled; compile it again.");
        }
    }

    private static object? FromJson(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Number => e.GetDouble(),
        JsonValueKind.String => e.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Array => e.EnumerateArray().Select(FromJson).ToArray(),
        JsonValueKind.Object => e.EnumerateObject().ToDictionary(p => p.Name, p => FromJson(p.Value), StringComparer.Ordinal),
        _ => null,
    };
}
