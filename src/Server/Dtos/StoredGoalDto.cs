using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace VoxScheduler.Server.Dtos;

/// <summary>A goal of a recorded execution and its value as the store holds it now.</summary>
internal sealed record StoredGoalDto
{
    [JsonPropertyName("name")]
    public required string Name { get; init; }

    [JsonPropertyName("ordinal")]
    public int Ordinal { get; init; }

    [JsonPropertyName("node_id")]
    public required string NodeId { get; init; }

    /// <summary>False when the store has no result for the goal: it failed, was cancelled, or was evicted.</summary>
    [JsonPropertyName("available")]
    public bool Available { get; init; }

    [JsonPropertyName("data_type")]
    public string? DataType { get; init; }

    [JsonPropertyName("size")]
    public long Size { get; init; }

    [JsonPropertyName("value")]
    public JsonNode? Value { get; init; }

    [JsonPropertyName("encoding")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Encoding { get; init; }

    [JsonPropertyName("value_omitted")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool ValueOmitted { get; init; }

    [JsonPropertyName("content_url")]
    public string? ContentUrl { get; init; }
}
