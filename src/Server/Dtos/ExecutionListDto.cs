using System.Text.Json.Serialization;

namespace VoxScheduler.Server.Dtos;

/// <summary>This server's executions, newest first.</summary>
internal sealed record ExecutionListDto
{
    [JsonPropertyName("count")]
    public int Count { get; init; }

    [JsonPropertyName("executions")]
    public required IReadOnlyList<ExecutionSummaryDto> Executions { get; init; }
}
