using System.Text.Json.Serialization;

namespace VoxScheduler.Server.Dtos;

/// <summary>An execution as recorded in a store's history (possibly by an earlier server process).</summary>
internal sealed record HistoryRecordDto
{
    [JsonPropertyName("execution_id")]
    public required string ExecutionId { get; init; }

    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("dag_id")]
    public string? DagId { get; init; }

    /// <summary>The recorded status, lower-case: <c>running</c>, <c>completed</c>, <c>failed</c>, <c>cancelled</c>.</summary>
    [JsonPropertyName("status")]
    public required string Status { get; init; }

    [JsonPropertyName("submitted_at")]
    public DateTimeOffset SubmittedAt { get; init; }

    [JsonPropertyName("completed_at")]
    public DateTimeOffset? CompletedAt { get; init; }

    [JsonPropertyName("total_nodes")]
    public int TotalNodes { get; init; }

    /// <summary>Nodes done, computed or served from the store (the specification's completed_nodes).</summary>
    [JsonPropertyName("completed_nodes")]
    public int CompletedNodes { get; init; }

    /// <summary>Of <see cref="CompletedNodes"/>, those computed in the execution.</summary>
    [JsonPropertyName("computed_nodes")]
    public int ComputedNodes { get; init; }

    [JsonPropertyName("cached_nodes")]
    public int CachedNodes { get; init; }

    [JsonPropertyName("failed_nodes")]
    public int FailedNodes { get; init; }

    [JsonPropertyName("skipped_nodes")]
    public int SkippedNodes { get; init; }

    [JsonPropertyName("source")]
    public string? Source { get; init; }

    [JsonPropertyName("error")]
    public string? Error { get; init; }

    /// <summary>Bytes allocated by the nodes the execution computed; null in records older stores kept without it.</summary>
    [JsonPropertyName("memory_usage_bytes")]
    public long? MemoryUsageBytes { get; init; }

    /// <summary>
    /// For an execution run on the cluster: the silo that coordinated it (<c>address:port@generation</c>),
    /// the one a lost-coordinator interruption names; absent for a local run and in older records.
    /// </summary>
    [JsonPropertyName("coordinator")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Coordinator { get; init; }
}
