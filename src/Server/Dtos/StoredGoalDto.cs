using System.Text.Json.Serialization;

namespace VoxScheduler.Server.Dtos;

/// <summary>A goal of a recorded execution and its value as the store holds it now.</summary>
internal sealed record StoredGoalDto : GoalValueDto
{
    /// <summary>False when the store has no result for the goal: it failed, was cancelled, or was evicted.</summary>
    [JsonPropertyName("available")]
    public bool Available { get; init; }

    /// <summary>
    /// <c>completed</c> (stored by this execution), <c>cached</c> (reused from an earlier one),
    /// <c>failed</c>, <c>skipped</c> (a dependency failed), <c>cancelled</c> or <c>interrupted</c>
    /// (the execution was stopped, or its process ended, before the goal ran), <c>pending</c>
    /// (still running), or <c>missing</c> (evicted since).
    /// </summary>
    [JsonPropertyName("status")]
    public required string Status { get; init; }

    /// <summary>Bytes on disk (after compression), when stored.</summary>
    [JsonPropertyName("stored_size")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? StoredSize { get; init; }

    /// <summary>The codec it is stored with (<c>lz4</c>, <c>brotli</c>), or null when stored raw.</summary>
    [JsonPropertyName("compression")]
    public string? Compression { get; init; }

    /// <summary>When the result was first stored (the specification's created_at), when stored.</summary>
    [JsonPropertyName("created_at")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? CreatedAt { get; init; }
}
