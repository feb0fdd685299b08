using VoxScheduler.Dag;
using VoxScheduler.Operations;

namespace VoxScheduler.Execution;

/// <summary>One try of one node, as handed to an <see cref="INodeRunner"/>.</summary>
/// <param name="Operation">The operation (its name is the operator, its revision is part of the node id).</param>
/// <param name="NodeId">The node's content id.</param>
/// <param name="Attributes">The node's attributes, or null.</param>
/// <param name="Attempt">1 for the first try, 2 for the first retry, …</param>
internal readonly record struct NodeRun(Operation Operation, NodeId NodeId, IReadOnlyDictionary<string, object?>? Attributes, int Attempt)
{
    /// <summary>The qualified operator name.</summary>
    public string Operator => Operation.Name;

    /// <summary>The operator's revision.</summary>
    public int Revision => Operation.Revision;

    /// <summary>
    /// True when the node's result may not be served from a store or a cache (a non-deterministic
    /// operation, or an input that is): it lives only in this execution's memory.
    /// </summary>
    public bool Volatile { get; init; }
}
