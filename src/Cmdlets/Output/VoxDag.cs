using VoxScheduler.Dag;

namespace VoxScheduler.Cmdlets.Output;

/// <summary>A DAG ready to run (from a program, JSON, a hashtable or node objects), as returned by <c>ConvertTo-VoxDag</c>.</summary>
public sealed class VoxDag
{
    internal VoxDag(DagDefinition definition, string? source)
    {
        Definition = definition;
        Source = source;
    }

    /// <summary>The engine's DAG.</summary>
    internal DagDefinition Definition { get; }

    /// <summary>The DAG's id.</summary>
    public string DagId => Definition.DagId;

    /// <summary>Where it came from (a program path, "program text", "dag").</summary>
    public string? Source { get; }

    /// <summary>Distinct nodes (identical sub-expressions merged).</summary>
    public int NodeCount => Definition.Nodes.Count;

    /// <summary>Argument edges.</summary>
    public long EdgeCount => Definition.EdgeCount;

    /// <summary>The goal names, in order.</summary>
    public string[] Goals => Definition.Goals.Select(g => g.Name).ToArray();

    /// <summary>The user labels of nodes.</summary>
    public string[] Labels => Definition.Labels.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <inheritdoc />
    public override string ToString() => $"DAG {DagId}: {NodeCount} nodes, {Definition.Goals.Count} goals";
}
