using VoxScheduler.Scheduling;

namespace VoxScheduler.Cluster.Client;

/// <summary>A finished cluster execution: its status, final progress and goals (results in the shared store, by namespace and node id).</summary>
public sealed record ClusterExecutionResult(string ExecutionId, ExecutionStatus Status, ExecutionProgress Progress, IReadOnlyList<ClusterGoalResult> Goals,
    string? Error);
