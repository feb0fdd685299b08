using System.Text.Json.Serialization;

namespace VoxScheduler.Server.Dtos;

/// <summary>One recorded execution with its goals' stored values.</summary>
internal sealed record HistoryDetailDto
{
    [JsonPropertyName("execution")]
    public required HistoryRecordDto Execution { get; init; }

    [JsonPropertyName("goals")]
    public required IReadOnlyList<StoredGoalDto> Goals { get; init; }
}
