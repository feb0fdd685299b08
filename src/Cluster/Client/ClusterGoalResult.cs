using VoxScheduler.Dag;
using VoxScheduler.Execution;
using VoxScheduler.Values;

namespace VoxScheduler.Cluster.Client;

/// <summary>
/// One goal of a finished cluster execution: its status, result id and, when small (64 KiB in its
/// byte form), its value; a larger value is read from the shared store by <see cref="NodeId"/>.
/// </summary>
public sealed record ClusterGoalResult(string Name, GoalKind Kind, NodeId NodeId, NodeStatus Status, string? Error, long Size, DataType DataType,
    TimeSpan Duration)
{
    /// <summary>The value, when it came with the result (<see cref="HasValue"/>).</summary>
    public object? Value { get; init; }

    /// <summary>True when <see cref="Value"/> holds the goal's value (false: read it from the store).</summary>
    public bool HasValue { get; init; }

    /// <summary>True when the result is in the store.</summary>
    public bool Succeeded => Status is NodeStatus.Completed or NodeStatus.Cached;
}
