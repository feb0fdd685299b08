using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace VoxScheduler.Server.Dtos;

/// <summary>One goal of an execution and, once it has finished, its value or error.</summary>
internal sealed record GoalDto
{
    /// <summary>The print label, or the save path as written.</summary>
    [JsonPropertyName("name")]
    public required string Name { get; init; }

    /// <summary><c>print</c>, <c>save</c> or <c>node</c>.</summary>
    [JsonPropertyName("kind")]
    public required string Kind { get; init; }

    [JsonPropertyName("ordinal")]
    public int Ordinal { get; init; }

    [JsonPropertyName("node_id")]
    public required string NodeId { get; init; }

    /// <summary><c>pending</c>, <c>running</c>, <c>completed</c>, <c>cached</c>, <c>failed</c>, <c>skipped</c>, <c>cancelled</c>.</summary>
    [JsonPropertyName("status")]
    public required string Status { get; init; }

    /// <summary><c>primitive</c>, <c>binary</c>, <c>nested</c>, <c>dataset</c>, <c>large_object</c>.</summary>
    [JsonPropertyName("data_type")]
    public string? DataType { get; init; }

    /// <summary>Encoded size in bytes.</summary>
    [JsonPropertyName("size")]
    public long Size { get; init; }

    /// <summary>The value as JSON (bytes as base64 text); null when failed, pending, or too large to inline.</summary>
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

    [JsonPropertyName("error")]
    public string? Error { get; init; }

    [JsonPropertyName("duration_ms")]
    public double DurationMs { get; init; }

    /// <summary>For save goals: the file written, relative to the data root.</summary>
    [JsonPropertyName("path")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Path { get; init; }

    /// <summary>Download of the raw value (bytes as-is, text as UTF-8, anything else as JSON), once it has one.</summary>
    [JsonPropertyName("content_url")]
    public string? ContentUrl { get; init; }
}
