using System.Text.Json.Serialization;

namespace VoxScheduler.Server.Dtos;

/// <summary>The operations of the server's engine, sorted by name.</summary>
internal sealed record OperationListDto
{
    [JsonPropertyName("count")]
    public int Count { get; init; }

    [JsonPropertyName("namespaces")]
    public required IReadOnlyList<string> Namespaces { get; init; }

    [JsonPropertyName("operations")]
    public required IReadOnlyList<OperationDto> Operations { get; init; }
}
