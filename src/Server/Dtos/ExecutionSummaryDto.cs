using System.Text.Json.Serialization;

namespace VoxScheduler.Server.Dtos;

/// <summary>One execution in the list of this server's executions.</summary>
internal sealed record ExecutionSummaryDto
{
    [JsonPropertyName("execution_id")]
    public required string ExecutionId { get; init; }

    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("dag_id")]
    public required string DagId { get; init; }

    [JsonPropertyName("status")]
    public required string Status { get; init; }

    [JsonPropertyName("submitted_at")]
    public DateTimeOffset SubmittedAt { get; init; }

    [JsonPropertyName("completed_at")]
    public DateTimeOffset? CompletedAt { get; init; }

    [JsonPropertyName("storage_backend")]
    public required string StorageBackend { get; init; }

    /// <summary>The store folder relative to the data root.</summary>
    [JsonPropertyName("storage_path")]
    public string? StoragePath { get; init; }

    [JsonPropertyName("progress")]
    public required ProgressDto Progress { get; init; }

    [JsonPropertyName("links")]
    public required ExecutionLinks Links { get; init; }

    /// <summary>What went wrong (why it could not start or was interrupted, else its first node error), with the data root's path hidden; absent when nothing did.</summary>
    [JsonPropertyName("error")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Error { get; init; }

    /// <summary>For an execution run on the cluster: the silo coordinating it (absent for a run on this server).</summary>
    [JsonPropertyName("coordinator")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Coordinator { get; init; }
}
