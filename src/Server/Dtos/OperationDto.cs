using System.Text.Json.Serialization;

namespace VoxScheduler.Server.Dtos;

/// <summary>An operation programs may use.</summary>
internal sealed record OperationDto
{
    /// <summary>Qualified name, e.g. <c>default.add</c>.</summary>
    [JsonPropertyName("name")]
    public required string Name { get; init; }

    [JsonPropertyName("namespace")]
    public required string Namespace { get; init; }

    [JsonPropertyName("short_name")]
    public required string ShortName { get; init; }

    [JsonPropertyName("min_arity")]
    public int MinArity { get; init; }

    /// <summary>-1 for any number of arguments.</summary>
    [JsonPropertyName("max_arity")]
    public int MaxArity { get; init; }

    /// <summary>Arity as text: <c>2</c>, <c>1..2</c>, <c>0..</c>.</summary>
    [JsonPropertyName("arity")]
    public required string Arity { get; init; }

    [JsonPropertyName("revision")]
    public int Revision { get; init; }

    /// <summary><c>pure</c>, <c>reads_files</c> or <c>non_deterministic</c>.</summary>
    [JsonPropertyName("purity")]
    public required string Purity { get; init; }

    [JsonPropertyName("description")]
    public required string Description { get; init; }
}
