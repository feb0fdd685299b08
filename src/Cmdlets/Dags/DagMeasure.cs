using VoxScheduler.Cmdlets.Output;
using VoxScheduler.Dag;

namespace VoxScheduler.Cmdlets.Dags;

/// <summary>Levels, critical path and parallelism of a DAG, in one pass over its topological order.</summary>
internal static class DagMeasure
{
    public static VoxDagMeasurement Measure(DagDefinition dag, int workers)
    {
        var count = dag.Nodes.Count;
        var level = new int[count];
        var via = new int[count];
        var deepest = -1;
        for (var i = 0; i < count; i++)
        {
            // Nodes are topologically ordered, so every argument's level is final already.
            var best = 0;
            via[i] = -1;
            foreach (var a in dag.Nodes[i].Arguments)
            {
                if (level[a] > best)
                {
                    best = level[a];
                    via[i] = a;
                }
            }

            level[i] = best + 1;
            if (deepest < 0 || level[i] > level[deepest]) deepest = i;
        }

        var depth = deepest < 0 ? 0 : level[deepest];
        var widest = count == 0 ? 0 : level.GroupBy(l => l).Max(g => g.Count());
        var labels = dag.Labels.GroupBy(l => l.Value).ToDictionary(g => g.Key, g => g.Select(x => x.Key).Order(StringComparer.Ordinal).First());
        var path = new List<string>();
        for (var n = deepest; n >= 0; n = via[n])
        {
            var node = dag.Nodes[n];
            path.Add(labels.TryGetValue(n, out var label) ? label
                : node.Kind == NodeKind.Constant ? ValueText.Format(node.Value)
                : $"{node.Operator}#{node.Id.ToShortString(8)}");
        }

        path.Reverse();
        var bound = Math.Max(depth, (int)Math.Ceiling(count / (double)Math.Max(1, workers)));
        return new VoxDagMeasurement
        {
            DagId = dag.DagId,
            Nodes = count,
            Edges = dag.EdgeCount,
            Goals = dag.Goals.Count,
            Constants = dag.Nodes.Count(n => n.Kind == NodeKind.Constant),
            Depth = depth,
            CriticalPathLength = depth,
            CriticalPath = path.ToArray(),
            WidestLevel = widest,
            Workers = workers,
            TheoreticalSpeedup = bound == 0 ? 0 : Math.Round(count / (double)bound, 3),
            Parallelism = depth == 0 ? 0 : Math.Round(count / (double)depth, 3),
        };
    }
}
