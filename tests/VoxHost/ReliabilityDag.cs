using VoxScheduler.Dag;
using VoxScheduler.Operations;

namespace VoxScheduler.VoxHost;

/// <summary>
/// The DAG the reliability suite runs, kills and resumes: <c>width</c> columns of <c>depth</c>
/// levels; node (d, c) = test.spin or test.sleep of add(node(d-1, c), node(d-1, c+1)), so each node
/// depends on a cone of columns and two hosts with overlapping column ranges share nodes (same
/// content ids). Optional test.blob goals add large results (files in hybrid, chunks in sqlite).
/// </summary>
internal static class ReliabilityDag
{
    public static DagDefinition Build(OperationRegistry operations, int width, int depth, int offset, int spinRounds, int sleepMs, int blobs, int blobMb)
    {
        var b = new DagBuilder(width * depth * 4 + blobs * 3 + 16);
        int Op(string name, params int[] args)
        {
            if (!operations.TryGet(name, out var op)) throw new InvalidOperationException($"The operation '{name}' is not registered.");
            return b.Operation(name, op.Revision, args);
        }

        var rounds = b.Constant((double)spinRounds);
        var sleep = b.Constant((double)sleepMs);
        var previous = new int[width];
        for (var c = 0; c < width; c++) previous[c] = b.Constant((double)(offset + c));
        for (var d = 0; d < depth; d++)
        {
            var current = new int[width];
            for (var c = 0; c < width; c++)
            {
                // The last column has no right neighbour: it adds itself, so the structure of
                // interior columns is independent of the range and overlapping hosts share them.
                var right = c + 1 < width ? previous[c + 1] : previous[c];
                var sum = Op("rel.add", previous[c], right);
                current[c] = d % 2 == 0 ? Op("test.spin", sum, rounds) : Op("test.sleep", sum, sleep);
            }

            previous = current;
        }

        for (var c = 0; c < width; c++) b.AddGoal(new DagGoal($"column{offset + c}", GoalKind.Node, previous[c]));
        var mb = b.Constant((double)blobMb);
        for (var i = 0; i < blobs; i++)
        {
            var blob = Op("test.blob", b.Constant((double)(offset * 1000 + i)), mb);
            b.AddGoal(new DagGoal($"blob{offset * 1000 + i}", GoalKind.Node, blob));
        }

        return b.Build();
    }
}
