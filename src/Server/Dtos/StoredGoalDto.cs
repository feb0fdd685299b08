using System.Text.Json.Serialization;

namespace VoxScheduler.Server.Dtos;

/// <summary>A goal of a recorded execution and its value as the store holds it now.</summary>
internal sealed record StoredGoalDto : GoalValueDto
{
    /// <summary>False when the store has no result for the goal: it failed, was cancelled, or was evicted.</summary>
    [JsonPropertyName("available")]
    public bool Available { get; init; }
}
