using VoxScheduler.Operations;
using VoxScheduler.Dag;

namespace VoxScheduler.Execution;

/// <summary>
/// References to a node's inputs, in argument order: each has an id (what a remote runner
/// sends) and, for the local runner, its value already resolved in memory. A struct over the
/// scheduler's own arrays, so handing inputs to a runner allocates nothing.
/// </summary>
internal readonly struct NodeInputs
{
    /// <summary>Stands for an input that is in the store and was not loaded (see <see cref="INodeRunner.NeedsValues"/>).</summary>
    internal static readonly object StoredMarker = new();

    private readonly INodeInputIds? _ids;
    private readonly int _node;
    private readonly object?[] _values;

    /// <param name="ids">Where the input ids are looked up.</param>
    /// <param name="node">The node whose inputs these are (an index <paramref name="ids"/> understands).</param>
    /// <param name="values">The input values, resolved in memory, in argument order.</param>
    public NodeInputs(INodeInputIds? ids, int node, object?[] values)
    {
        _ids = ids;
        _node = node;
        _values = values;
    }

    /// <summary>Number of inputs.</summary>
    public int Count => _values.Length;

    /// <summary>The content id of input <paramref name="index"/>.</summary>
    public NodeId IdAt(int index) =>
        _ids is null ? throw new InvalidOperationException("These inputs carry no ids.") : _ids.InputId(_node, index);

    /// <summary>True when input <paramref name="index"/> is in the store and was not loaded (its value is not in memory).</summary>
    public bool IsStored(int index) => ReferenceEquals(_values[index], StoredMarker);

    /// <summary>The value of input <paramref name="index"/>, resolved in memory (local runners only).</summary>
    public object? ValueAt(int index) => _values[index];

    /// <summary>Where the node's expansion fragments are pinned as they are made (the running execution), or null.</summary>
    internal IFragmentPins? Pins => _ids as IFragmentPins;

    /// <summary>The values as the operation receives them (local runners only; not copied).</summary>
    internal object?[] Values => _values;
}
