using System.Text.Json.Serialization;

namespace VoxScheduler.Server.Dtos;

/// <summary>The goals of an execution, in source order, with its progress.</summary>
internal sealed record ExecutionResultDto
{
    [JsonPropertyName("execution_id")]
    public required string ExecutionId { get; init; }

    [JsonPropertyName("status")]
    public required string Status { get; init; }

    [JsonPropertyName("goals")]
    public required IReadOnlyList<GoalDto> Goals { get; init; }

    [JsonPropertyName("progress")]
    public required ProgressDto Progress { get; init; }

    /// <summary>What went wrong (why it could not start or was interrupted, else its first node error), with the data root's path hidden; absent when nothing did.</summary>
    [JsonPropertyName("error")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Error { get; init; }

    /// <summary>Folder (relative to the data root) that relative <c>save</c> paths were written under.</summary>
    [JsonPropertyName("output_folder")]
    public string? OutputFolder { get; init; }
}
