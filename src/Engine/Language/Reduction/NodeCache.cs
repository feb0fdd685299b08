using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using VoxScheduler.Dag;

namespace VoxScheduler.Language.Reduction;

/// <summary>
/// A structural front of the <see cref="DagBuilder"/>: constants by value and attribute-free
/// operations of up to two arguments by (operator, argument indices). A repeated expression
/// is then found without serialising and hashing it again; new nodes still go through the
/// builder, which computes their content ids. Purely a speed-up: the builder would find the
/// same index from the id.
/// </summary>
internal sealed class NodeCache(DagBuilder builder, int capacity = 0)
{
    private readonly Dictionary<double, int> _numbers = [];
    private readonly Dictionary<string, int> _strings = new(StringComparer.Ordinal);
    // Keys hold no references (operators are numbered), so the GC never scans this table.
    private readonly Dictionary<OperationKey, int> _operations = new(capacity);
    // Operator names come from the registry's Operation objects: reference identity numbers them.
    private readonly Dictionary<string, int> _operators = new(ReferenceEqualityComparer.Instance);
    private int _true = -1, _false = -1, _null = -1;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per program: no time to tier up
    public int Constant(double value)
    {
        // -0 and 0 share a constant id (JCS writes both as 0); the dictionary treats them as equal too.
        if (!_numbers.TryGetValue(value, out var index))
        {
            index = builder.Constant(value);
            _numbers[value] = index;
        }

        return index;
    }

    public int Constant(string value)
    {
        if (!_strings.TryGetValue(value, out var index))
        {
            index = builder.Constant(value);
            _strings[value] = index;
        }

        return index;
    }

    public int Constant(bool value)
    {
        ref var slot = ref value ? ref _true : ref _false;
        if (slot < 0) slot = builder.Constant(value);
        return slot;
    }

    public int Null()
    {
        if (_null < 0) _null = builder.Constant(null);
        return _null;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per program: no time to tier up
    public int Operation(string op, int revision, ReadOnlySpan<int> args, IReadOnlyDictionary<string, object?>? attributes)
    {
        if (attributes is { Count: > 0 } || args.Length > 2)
        {
            return builder.Operation(op, revision, args, attributes);
        }

        ref var number = ref CollectionsMarshal.GetValueRefOrAddDefault(_operators, op, out var known);
        if (!known) number = _operators.Count;
        var key = new OperationKey(number, revision, args.Length, args.Length > 0 ? args[0] : -1, args.Length > 1 ? args[1] : -1);
        ref var index = ref CollectionsMarshal.GetValueRefOrAddDefault(_operations, key, out var exists);
        if (exists)
        {
            return index;
        }

        try
        {
            return index = builder.Operation(op, revision, args, null);
        }
        catch
        {
            _operations.Remove(key); // never leave a reserved slot pointing at node 0
            throw;
        }
    }

    private readonly record struct OperationKey(int Operator, int Revision, int Count, int A0, int A1);
}
