using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace VoxScheduler.Server.Dtos;

/// <summary>What every goal answer says about a goal's value, live (<see cref="GoalDto"/>) or stored (<see cref="StoredGoalDto"/>).</summary>
internal abstract record GoalValueDto
{
    /// <summary>The print label, the save path as written, or the node name.</summary>
    [JsonPropertyName("name")]
    public required string Name { get; init; }

    [JsonPropertyName("ordinal")]
    public int Ordinal { get; init; }

    [JsonPropertyName("node_id")]
    public required string NodeId { get; init; }

    /// <summary><c>primitive</c>, <c>binary</c>, <c>nested</c>, <c>dataset</c>, <c>large_object</c>.</summary>
    [JsonPropertyName("data_type")]
    public string? DataType { get; init; }

    /// <summary>Encoded size in bytes.</summary>
    [JsonPropertyName("size")]
    public long Size { get; init; }

    /// <summary>The value as JSON (bytes as base64 text); null when there is none or it is too large to inline.</summary>
    [JsonPropertyName("value")]
    public JsonNode? Value { get; init; }

    /// <summary><c>base64</c> when <see cref="Value"/> holds bytes as base64 text.</summary>
    [JsonPropertyName("encoding")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Encoding { get; init; }

    /// <summary>True when the value was left out because of its size; fetch it from <see cref="ContentUrl"/>.</summary>
    [JsonPropertyName("value_omitted")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool ValueOmitted { get; init; }

    /// <summary>Download of the raw value (bytes as-is, text as UTF-8, anything else as JSON), once it has one.</summary>
    [JsonPropertyName("content_url")]
    public string? ContentUrl { get; init; }
}
