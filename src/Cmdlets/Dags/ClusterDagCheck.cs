using System.Collections;
using System.Text.Json;
using VoxScheduler.Dag;
using VoxScheduler.Operations;

namespace VoxScheduler.Cmdlets.Dags;

/// <summary>
/// What a DAG would do on a cluster's file system instead of this session's: the operations that
/// are not pure (they read files, such as <c>load</c>, or the outside world) run on the
/// coordinating silo, where relative paths resolve against the silo's folder and absolute ones
/// name the silo machine's files. The REST server refuses the same operations.
/// </summary>
internal static class ClusterDagCheck
{
    // Loop templates are built by the compiler within its own depth bound; deeper input is not walked.
    private const int MaxDepth = 256;

    /// <summary>The impure operations the DAG uses, loop bodies expanded at run time included, in name order.</summary>
    public static IReadOnlyList<string> ImpureOperations(DagDefinition dag, OperationRegistry operations)
    {
        var found = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var node in dag.Nodes)
        {
            if (node.Kind != NodeKind.Operation) continue;
            Check(node.Operator, operations, found);
            if (node.Attributes is { } attributes) Walk(attributes, operations, found, 0);
        }

        return [.. found];
    }

    private static void Check(string? name, OperationRegistry operations, SortedSet<string> found)
    {
        if (name is not null && operations.TryGet(name, out var operation) && operation.Purity != Purity.Pure) found.Add(name);
    }

    // A loop body template holds {"o": operation, ...} entries, nested loops included.
    private static void Walk(object? value, OperationRegistry operations, SortedSet<string> found, int depth)
    {
        if (depth > MaxDepth) return;
        switch (value)
        {
            case JsonElement element:
                WalkJson(element, operations, found, depth);
                return;
            case null or string or byte[] or ValueType:
                return;
            case IDictionary dictionary:
                foreach (DictionaryEntry entry in dictionary)
                {
                    if (entry.Key is "o" && entry.Value is string op) Check(op, operations, found);
                    else Walk(entry.Value, operations, found, depth + 1);
                }

                return;
            case IEnumerable<KeyValuePair<string, object?>> pairs:
                foreach (var (key, item) in pairs)
                {
                    if (key == "o" && item is string op) Check(op, operations, found);
                    else Walk(item, operations, found, depth + 1);
                }

                return;
            case IEnumerable items:
                foreach (var item in items) Walk(item, operations, found, depth + 1);
                return;
        }
    }

    private static void WalkJson(JsonElement element, OperationRegistry operations, SortedSet<string> found, int depth)
    {
        if (depth > MaxDepth) return;
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (property.Name == "o" && property.Value.ValueKind == JsonValueKind.String) Check(property.Value.GetString(), operations, found);
                    else WalkJson(property.Value, operations, found, depth + 1);
                }

                return;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray()) WalkJson(item, operations, found, depth + 1);
                return;
        }
    }
}
