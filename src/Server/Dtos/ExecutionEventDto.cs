using System.Text.Json.Serialization;

namespace VoxScheduler.Server.Dtos;

/// <summary>The data of one server-sent event of GET /api/v1/execution/{id}/events.</summary>
internal sealed record ExecutionEventDto
{
    /// <summary><c>node-finished</c>, <c>node-retrying</c>, <c>goal-finished</c>, <c>progress</c>, <c>execution-finished</c> (also the SSE event name).</summary>
    [JsonPropertyName("event")]
    public required string Event { get; init; }

    [JsonPropertyName("execution_id")]
    public required string ExecutionId { get; init; }

    [JsonPropertyName("at")]
    public DateTimeOffset At { get; init; }

    [JsonPropertyName("node_id")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? NodeId { get; init; }

    [JsonPropertyName("operator")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Operator { get; init; }

    [JsonPropertyName("node_status")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? NodeStatus { get; init; }

    [JsonPropertyName("error")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Error { get; init; }

    [JsonPropertyName("duration_ms")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? DurationMs { get; init; }

    /// <summary>On <c>node-finished</c> of a computed node: bytes its computation allocated (the specification's memory_usage_bytes).</summary>
    [JsonPropertyName("memory_usage_bytes")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? MemoryUsageBytes { get; init; }

    [JsonPropertyName("attempt")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Attempt { get; init; }

    [JsonPropertyName("goal")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public GoalDto? Goal { get; init; }

    [JsonPropertyName("progress")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ProgressDto? Progress { get; init; }

    /// <summary>The final status, on <c>execution-finished</c>.</summary>
    [JsonPropertyName("status")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Status { get; init; }
}
