using System.Text.Json.Serialization;

namespace VoxScheduler.Server.Dtos;

/// <summary>Where to look at an execution next.</summary>
internal sealed record ExecutionLinks
{
    [JsonPropertyName("progress")]
    public required string Progress { get; init; }

    [JsonPropertyName("results")]
    public required string Results { get; init; }

    [JsonPropertyName("events")]
    public required string Events { get; init; }

    /// <summary>DELETE this to cancel.</summary>
    [JsonPropertyName("cancel")]
    public required string Cancel { get; init; }

    public static ExecutionLinks For(string executionId)
    {
        var baseUrl = $"/api/v1/execution/{Uri.EscapeDataString(executionId)}";
        return new ExecutionLinks
        {
            Progress = baseUrl + "/progress",
            Results = baseUrl + "/results",
            Events = baseUrl + "/events",
            Cancel = baseUrl,
        };
    }
}
