using System.Text.Json.Serialization;

namespace VoxScheduler.Server.Dtos;

/// <summary>One goal of an execution and, once it has finished, its value or error.</summary>
internal sealed record GoalDto : GoalValueDto
{
    /// <summary><c>print</c>, <c>save</c> or <c>node</c>.</summary>
    [JsonPropertyName("kind")]
    public required string Kind { get; init; }

    /// <summary><c>pending</c>, <c>running</c>, <c>completed</c>, <c>cached</c>, <c>failed</c>, <c>skipped</c>, <c>cancelled</c>.</summary>
    [JsonPropertyName("status")]
    public required string Status { get; init; }

    [JsonPropertyName("error")]
    public string? Error { get; init; }

    [JsonPropertyName("duration_ms")]
    public double DurationMs { get; init; }

    /// <summary>Bytes allocated computing the goal's node (the specification's memory_usage_bytes); 0 when it was not computed in this execution.</summary>
    [JsonPropertyName("memory_usage_bytes")]
    public long MemoryUsageBytes { get; init; }

    /// <summary>For save goals: the file written, relative to the data root.</summary>
    [JsonPropertyName("path")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Path { get; init; }
}
