using VoxScheduler.Execution;

namespace VoxScheduler.Scheduling;

/// <summary>The per-node snapshot front ends draw (Show-VoxDag): the plan's internal states mapped to <see cref="NodeStatus"/>.</summary>
internal sealed partial class ScheduledExecution
{
    public IReadOnlyList<NodeStatus?> GetNodeStatuses()
    {
        var result = new NodeStatus?[Dag.Nodes.Count];
        lock (_gate)
        {
            // Before the plan exists (store still opening, pruning) every node is still to do.
            var states = _plan?.State;
            for (var i = 0; i < result.Length; i++)
            {
                result[i] = states is null || i >= states.Length ? NodeStatus.Pending : Map(states[i]);
            }
        }

        return result;
    }

    private static NodeStatus? Map(NodeState state) => state switch
    {
        NodeState.NotNeeded => null,
        NodeState.Pending => NodeStatus.Pending,
        // Waiting for a retry timer or for another execution computing the same node: not finished, not on a worker.
        NodeState.Waiting => NodeStatus.Pending,
        NodeState.Ready => NodeStatus.Ready,
        NodeState.Running => NodeStatus.Running,
        NodeState.Completed => NodeStatus.Completed,
        NodeState.Cached => NodeStatus.Cached,
        NodeState.Failed => NodeStatus.Failed,
        NodeState.Skipped => NodeStatus.Skipped,
        _ => NodeStatus.Cancelled,
    };
}
