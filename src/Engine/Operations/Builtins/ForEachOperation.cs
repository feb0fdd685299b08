using System.Text.Json;
using VoxScheduler.Dag;

namespace VoxScheduler.Operations.Builtins;

/// <summary>
/// <c>default.for_each</c>: a loop whose sequence is known only at run time (docs/language.md §5).
/// Arguments: the sequence, then the captured values. Attributes: the loop variable, the mode
/// (<c>map</c> or <c>filter</c>), the body as a template (a list of entries, each
/// <c>{"p":0}</c> the loop variable, <c>{"c":V}</c> a constant, <c>{"x":k}</c> capture k, or
/// <c>{"o":op,"r":rev,"a":[entry…],"t":{attributes}}</c> an operation; the last entry is the
/// result) and the captures' ids. Running it expands: each item becomes a constant node and
/// the body is instantiated over it. Long sequences expand incrementally, as a tree of
/// <c>for_each</c> nodes over ranges of at most <see cref="LeafSize"/> items with fan-out
/// <see cref="FanOut"/>, so no plan larger than that is built before the first item runs.
/// </summary>
public sealed class ForEachOperation : Operation
{
    /// <summary>The operation's name.</summary>
    public const string OperationName = "default.for_each";

    /// <summary>Items instantiated by one expansion.</summary>
    public const int LeafSize = 256;

    /// <summary>Children of one splitting expansion.</summary>
    public const int FanOut = 16;

    internal const string VariableAttribute = "variable";
    internal const string ModeAttribute = "mode";
    internal const string BodyAttribute = "body";
    internal const string CapturesAttribute = "captures";
    internal const string SequenceAttribute = "sequence";
    internal const string StartAttribute = "start";
    internal const string StopAttribute = "stop";
    internal const string ParameterKey = "p";
    internal const string ConstantKey = "c";
    internal const string CaptureKey = "x";
    internal const string OperatorKey = "o";
    internal const string RevisionKey = "r";
    internal const string ArgumentsKey = "a";
    internal const string AttributesKey = "t";

    /// <summary>Creates the operation.</summary>
    public ForEachOperation()
        : base(OperationName, 1, -1, 1, Purity.Pure, "Internal: a for/filter/map loop over a sequence computed at run time; expands into one node per item.")
    {
    }

    /// <inheritdoc />
    public override ValueTask<OperationResult> ExecuteAsync(OperationContext context)
    {
        var items = context.Sequence(0);
        var attributes = context.Attributes ?? throw context.Fail("the loop has no attributes.");
        var body = AsList(context.Attribute(BodyAttribute)) ?? throw context.Fail("the loop body is missing.");
        var filter = AsString(context.Attribute(ModeAttribute)) == "filter";
        var captureIds = (AsList(context.Attribute(CapturesAttribute)) ?? []).Select(c => NodeId.Parse(AsString(c) ?? string.Empty)).ToArray();
        var start = attributes.TryGetValue(StartAttribute, out var s) ? AsInt(s) : 0;
        var stop = attributes.TryGetValue(StopAttribute, out var e) ? AsInt(e) : items.Length;
        if (start < 0 || stop > items.Length || start > stop)
        {
            throw context.Fail($"loop range {start}..{stop} does not fit a sequence of {items.Length} items.");
        }

        if (stop == start)
        {
            return new(OperationResult.FromValue(Array.Empty<object?>()));
        }

        var fragment = new DagBuilder();
        var captures = new int[captureIds.Length];
        for (var i = 0; i < captures.Length; i++)
        {
            captures[i] = fragment.External(captureIds[i]);
        }

        int root;
        if (stop - start <= LeafSize)
        {
            root = ExpandLeaf(fragment, context, items, start, stop, body, captures, filter);
        }
        else
        {
            // Split: children over sub-ranges, concatenated. The sequence becomes a node the
            // children share (a constant the first time, then referenced by its id).
            int sequence;
            string sequenceId;
            if (attributes.TryGetValue(SequenceAttribute, out var known) && AsString(known) is { } id)
            {
                sequence = fragment.External(NodeId.Parse(id));
                sequenceId = id;
            }
            else
            {
                try
                {
                    sequence = fragment.Constant(items);
                }
                catch (ArgumentException ex)
                {
                    throw context.Fail($"cannot loop over this sequence: {ex.Message}");
                }

                sequenceId = fragment[sequence].Id.ToString();
            }

            var span = stop - start;
            var chunk = Math.Max(LeafSize, (span + FanOut - 1) / FanOut);
            var children = new List<int>();
            var childArgs = new int[captures.Length + 1];
            childArgs[0] = sequence;
            captures.CopyTo(childArgs, 1);
            for (var a = start; a < stop; a += chunk)
            {
                var childAttributes = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var kv in attributes)
                {
                    childAttributes[kv.Key] = kv.Value;
                }

                childAttributes[SequenceAttribute] = sequenceId;
                childAttributes[StartAttribute] = a;
                childAttributes[StopAttribute] = Math.Min(stop, a + chunk);
                children.Add(fragment.Operation(OperationName, Revision, childArgs, childAttributes));
            }

            root = fragment.Operation("default.concat_sequences", DefaultNamespace.ConcatSequencesRevision, children.ToArray());
        }

        return new(context.Expand(fragment.Build(), root));
    }

    private static int ExpandLeaf(DagBuilder fragment, OperationContext context, object?[] items, int start, int stop, List<object?> body,
        int[] captures, bool filter)
    {
        var results = new int[stop - start];
        var itemNodes = filter ? new int[stop - start] : null;
        for (var i = start; i < stop; i++)
        {
            int item;
            try
            {
                item = fragment.Constant(items[i]);
            }
            catch (ArgumentException ex)
            {
                throw context.Fail($"item {i} of the sequence cannot be a loop variable: {ex.Message}");
            }

            if (itemNodes is not null) itemNodes[i - start] = item;
            results[i - start] = Instantiate(fragment, context, body, item, captures);
        }

        var mapped = fragment.Operation("default.sequence", DefaultNamespace.SequenceRevision, results);
        return itemNodes is null ? mapped : fragment.Operation("default.where", DefaultNamespace.WhereRevision, [fragment.Operation("default.sequence", DefaultNamespace.SequenceRevision, itemNodes), mapped]);
    }

    /// <summary>Builds the body's nodes for one item; returns the result node.</summary>
    internal static int Instantiate(DagBuilder fragment, OperationContext? context, List<object?> body, int item, int[] captures)
    {
        var slots = new int[body.Count];
        for (var i = 0; i < body.Count; i++)
        {
            var entry = AsDictionary(body[i]) ?? throw Invalid(context, $"template entry {i} is not an object");
            if (entry.ContainsKey(ParameterKey))
            {
                slots[i] = item;
            }
            else if (entry.TryGetValue(ConstantKey, out var constant))
            {
                slots[i] = fragment.Constant(ToRuntime(constant));
            }
            else if (entry.TryGetValue(CaptureKey, out var capture))
            {
                var k = AsInt(capture);
                if ((uint)k >= (uint)captures.Length) throw Invalid(context, $"template entry {i} refers to capture {k} of {captures.Length}");
                slots[i] = captures[k];
            }
            else if (entry.TryGetValue(OperatorKey, out var op) && AsString(op) is { } name)
            {
                var revision = entry.TryGetValue(RevisionKey, out var r) ? AsInt(r) : 1;
                var argSlots = AsList(entry.GetValueOrDefault(ArgumentsKey)) ?? [];
                var args = new int[argSlots.Count];
                for (var j = 0; j < args.Length; j++)
                {
                    var a = AsInt(argSlots[j]);
                    if ((uint)a >= (uint)i) throw Invalid(context, $"template entry {i} refers to a later entry {a}");
                    args[j] = slots[a];
                }

                var attributes = AsDictionary(entry.GetValueOrDefault(AttributesKey));
                if (name == OperationName)
                {
                    // A nested loop: its captures are its instantiated arguments after the sequence.
                    var copy = attributes is null ? new Dictionary<string, object?>(StringComparer.Ordinal) : new Dictionary<string, object?>(attributes, StringComparer.Ordinal);
                    copy[CapturesAttribute] = args.Skip(1).Select(a => (object?)fragment[a].Id.ToString()).ToList();
                    attributes = copy;
                }

                slots[i] = fragment.Operation(name, revision, args, attributes);
            }
            else
            {
                throw Invalid(context, $"template entry {i} has no known key");
            }
        }

        return slots[^1];
    }

    private static Exception Invalid(OperationContext? context, string message) =>
        context is null ? new InvalidOperationException(message) : context.Fail("invalid loop template: " + message);

    // Attributes arrive as CLR objects (built in-process) or as JsonElement (a DAG read from JSON).
    internal static List<object?>? AsList(object? value) => value switch
    {
        List<object?> l => l,
        IEnumerable<object?> e when value is not string => e.ToList(),
        JsonElement { ValueKind: JsonValueKind.Array } j => j.EnumerateArray().Select(x => (object?)x).ToList(),
        _ => null,
    };

    internal static IReadOnlyDictionary<string, object?>? AsDictionary(object? value) => value switch
    {
        IReadOnlyDictionary<string, object?> d => d,
        JsonElement { ValueKind: JsonValueKind.Object } j => j.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value, StringComparer.Ordinal),
        _ => null,
    };

    internal static string? AsString(object? value) => value switch
    {
        string s => s,
        JsonElement { ValueKind: JsonValueKind.String } j => j.GetString(),
        _ => null,
    };

    internal static int AsInt(object? value) => value switch
    {
        int i => i,
        long l => checked((int)l),
        double d => checked((int)d),
        JsonElement { ValueKind: JsonValueKind.Number } j => j.GetInt32(),
        _ => throw new InvalidOperationException($"expected an integer, found {value ?? "null"}"),
    };

    /// <summary>A template constant as a runtime value (JSON from a serialized DAG becomes doubles, strings, …).</summary>
    internal static object? ToRuntime(object? value) => value switch
    {
        JsonElement j => j.ValueKind switch
        {
            JsonValueKind.Number => j.GetDouble(),
            JsonValueKind.String => j.GetString(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Null => null,
            JsonValueKind.Array => j.EnumerateArray().Select(x => ToRuntime(x)).ToArray(),
            _ => j.EnumerateObject().ToDictionary(p => p.Name, p => ToRuntime(p.Value), StringComparer.Ordinal),
        },
        _ => value,
    };
}
