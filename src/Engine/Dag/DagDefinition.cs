using System.Collections.ObjectModel;

namespace VoxScheduler.Dag;

/// <summary>
/// A content-addressed DAG ready to run: nodes in topological order (each node's arguments
/// precede it), identical nodes merged, the goals to compute, and optional per-node labels
/// (the names a user gave to nodes; results are still keyed by content id).
/// Built by <see cref="DagBuilder"/>; immutable.
/// </summary>
public sealed class DagDefinition
{
    private static readonly IReadOnlyDictionary<string, int> NoLabels = new ReadOnlyDictionary<string, int>(new Dictionary<string, int>());

    internal DagDefinition(string dagId, IReadOnlyList<DagNode> nodes, IReadOnlyList<DagGoal> goals,
        IReadOnlyDictionary<string, int>? labels, IReadOnlyDictionary<string, object?>? metadata)
    {
        DagId = dagId;
        Nodes = nodes;
        Goals = goals;
        Labels = labels ?? NoLabels;
        Metadata = metadata;
    }

    /// <summary>Identifies the DAG: given by the user, or derived from the goals' ids.</summary>
    public string DagId { get; }

    /// <summary>All nodes, topologically ordered; a node's index is its handle.</summary>
    public IReadOnlyList<DagNode> Nodes { get; }

    /// <summary>The goals, in source order.</summary>
    public IReadOnlyList<DagGoal> Goals { get; }

    /// <summary>User labels of nodes (name → node index).</summary>
    public IReadOnlyDictionary<string, int> Labels { get; }

    /// <summary>Free-form metadata carried with the DAG (program file, creator, …).</summary>
    public IReadOnlyDictionary<string, object?>? Metadata { get; }

    /// <summary>Number of argument edges.</summary>
    public long EdgeCount => Nodes.Sum(n => (long)n.Arguments.Length);
}
