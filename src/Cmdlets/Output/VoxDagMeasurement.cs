namespace VoxScheduler.Cmdlets.Output;

/// <summary>The shape of a DAG, as measured by <c>Measure-VoxDag</c>.</summary>
public sealed class VoxDagMeasurement
{
    public required string DagId { get; init; }

    /// <summary>Distinct nodes.</summary>
    public int Nodes { get; init; }

    /// <summary>Argument edges.</summary>
    public long Edges { get; init; }

    /// <summary>Goals.</summary>
    public int Goals { get; init; }

    /// <summary>Constants among the nodes.</summary>
    public int Constants { get; init; }

    /// <summary>Levels: the longest chain of nodes, counting both ends (a single node has depth 1).</summary>
    public int Depth { get; init; }

    /// <summary>Nodes on the critical path (the longest dependency chain), the lower bound of any schedule with unit costs.</summary>
    public int CriticalPathLength { get; init; }

    /// <summary>The critical path, from first node to last (labels where nodes have them, else short ids).</summary>
    public string[] CriticalPath { get; init; } = [];

    /// <summary>Most nodes on one level (all of them can run at once).</summary>
    public int WidestLevel { get; init; }

    /// <summary>Workers assumed for <see cref="TheoreticalSpeedup"/>.</summary>
    public int Workers { get; init; }

    /// <summary>Upper bound on the speed-up with <see cref="Workers"/> workers and unit node costs: nodes / max(critical path, ⌈nodes / workers⌉).</summary>
    public double TheoreticalSpeedup { get; init; }

    /// <summary>Upper bound on the speed-up with unlimited workers: nodes / critical path.</summary>
    public double Parallelism { get; init; }
}
