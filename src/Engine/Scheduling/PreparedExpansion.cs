using VoxScheduler.Dag;
using VoxScheduler.Operations;

namespace VoxScheduler.Scheduling;

/// <summary>
/// A fragment returned by an expanding node, checked outside the lock before it is spliced:
/// operations resolved and validated, volatility computed, and (with a store) which fragment
/// nodes are already stored, in one batched query.
/// </summary>
internal sealed class PreparedExpansion
{
    public PreparedExpansion(DagDefinition fragment, int root)
    {
        Fragment = fragment;
        Root = root;
        Ops = new Operation?[fragment.Nodes.Count];
        Volatile = new bool[fragment.Nodes.Count];
    }

    public DagDefinition Fragment { get; }

    public int Root { get; }

    public Operation?[] Ops { get; }

    /// <summary>Non-deterministic or downstream of a non-deterministic node (inside the fragment or in the plan).</summary>
    public bool[] Volatile { get; }

    /// <summary>Per fragment node: stored in the store (null: no store, or not asked).</summary>
    public bool[]? Stored { get; set; }

    /// <summary>
    /// Fragment nodes that were not in the plan when it was prepared: at most what the splice adds
    /// (nodes another expansion added since are shared), for the node budget's check under the lock.
    /// </summary>
    public int Added { get; set; }

    /// <summary>Why the fragment cannot be spliced (the expanding node then fails, not retried).</summary>
    public ValidationException? Problem { get; set; }
}
