using System.Text.Json.Serialization;

namespace VoxScheduler.Server.Dtos;

/// <summary>The answer to DELETE /api/v1/execution/{id} (the specification's {"status": "cancelled"}).</summary>
internal sealed record CancelResponse
{
    [JsonPropertyName("execution_id")]
    public required string ExecutionId { get; init; }

    /// <summary><c>cancelled</c>, or <c>cancelling</c> when running operations have not stopped yet.</summary>
    [JsonPropertyName("status")]
    public required string Status { get; init; }
}
