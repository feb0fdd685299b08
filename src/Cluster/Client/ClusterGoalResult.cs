using VoxScheduler.Dag;
using VoxScheduler.Execution;
using VoxScheduler.Values;

namespace VoxScheduler.Cluster.Client;

/// <summary>One goal of a finished cluster execution: its status and result id; the value is read from the shared store by <see cref="NodeId"/>.</summary>
public sealed record ClusterGoalResult(string Name, GoalKind Kind, NodeId NodeId, NodeStatus Status, string? Error, long Size, DataType DataType,
    TimeSpan Duration)
{
    /// <summary>True when the result is in the store.</summary>
    public bool Succeeded => Status is NodeStatus.Completed or NodeStatus.Cached;
}
