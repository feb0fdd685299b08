using System.Text.Json.Serialization;

namespace VoxScheduler.Server.Dtos;

/// <summary>The specification's ExecutionProgress in snake_case, extended with the engine's extra counters.</summary>
internal sealed record ProgressDto
{
    [JsonPropertyName("execution_id")]
    public required string ExecutionId { get; init; }

    [JsonPropertyName("dag_id")]
    public required string DagId { get; init; }

    /// <summary><c>pending</c>, <c>running</c>, <c>completed</c>, <c>failed</c>, <c>cancelled</c>.</summary>
    [JsonPropertyName("status")]
    public required string Status { get; init; }

    [JsonPropertyName("total_nodes")]
    public int TotalNodes { get; init; }

    /// <summary>Nodes done, computed in this execution or served from the store (the specification's completed_nodes).</summary>
    [JsonPropertyName("completed_nodes")]
    public int CompletedNodes { get; init; }

    /// <summary>Of <see cref="CompletedNodes"/>, those computed in this execution.</summary>
    [JsonPropertyName("computed_nodes")]
    public int ComputedNodes { get; init; }

    /// <summary>Bytes allocated by the computed nodes so far (the sum of their memory_usage_bytes).</summary>
    [JsonPropertyName("memory_usage_bytes")]
    public long MemoryUsageBytes { get; init; }

    [JsonPropertyName("failed_nodes")]
    public int FailedNodes { get; init; }

    [JsonPropertyName("running_nodes")]
    public int RunningNodes { get; init; }

    [JsonPropertyName("pending_nodes")]
    public int PendingNodes { get; init; }

    [JsonPropertyName("ready_nodes")]
    public int ReadyNodes { get; init; }

    /// <summary>Of <see cref="CompletedNodes"/>, those served from the store without recomputation.</summary>
    [JsonPropertyName("cached_nodes")]
    public int CachedNodes { get; init; }

    /// <summary>Not run because a dependency failed.</summary>
    [JsonPropertyName("skipped_nodes")]
    public int SkippedNodes { get; init; }

    /// <summary>0–100; exactly 100 once the execution has ended.</summary>
    [JsonPropertyName("progress_percentage")]
    public double ProgressPercentage { get; init; }

    [JsonPropertyName("nodes_per_second")]
    public double NodesPerSecond { get; init; }

    [JsonPropertyName("elapsed_seconds")]
    public double ElapsedSeconds { get; init; }

    [JsonPropertyName("estimated_remaining_seconds")]
    public double? EstimatedRemainingSeconds { get; init; }

    /// <summary>ISO 8601 time the execution is expected to end, when it can be estimated.</summary>
    [JsonPropertyName("estimated_completion")]
    public string? EstimatedCompletion { get; init; }

    /// <summary>Bytes of live values (results in memory for consumers that have not run yet).</summary>
    [JsonPropertyName("live_bytes")]
    public long LiveBytes { get; init; }

    /// <summary>The most live_bytes has been so far.</summary>
    [JsonPropertyName("peak_live_bytes")]
    public long PeakLiveBytes { get; init; }

    /// <summary>The execution's memory budget for live values (0: none).</summary>
    [JsonPropertyName("memory_budget")]
    public long MemoryBudget { get; init; }
}
