using System.Text.Json.Serialization;

namespace VoxScheduler.Server.Dtos;

/// <summary>One problem of a rejected request: a program diagnostic (file, line, column) or a bad field (path).</summary>
internal sealed record ErrorDetail
{
    [JsonPropertyName("message")]
    public required string Message { get; init; }

    /// <summary>Stable code (<c>Syntax</c>, <c>UnboundName</c>, <c>InvalidJson</c>, …).</summary>
    [JsonPropertyName("code")]
    public string? Code { get; init; }

    /// <summary>1-based line, when the problem has a location.</summary>
    [JsonPropertyName("line")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Line { get; init; }

    /// <summary>1-based column, when the problem has a location.</summary>
    [JsonPropertyName("column")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Column { get; init; }

    /// <summary>Source file of a program diagnostic (null for program text).</summary>
    [JsonPropertyName("file")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? File { get; init; }

    /// <summary>JSON path of a bad request field (<c>$.max_concurrent_nodes</c>).</summary>
    [JsonPropertyName("path")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Path { get; init; }

    /// <summary>The offending DAG node, for DAG validation problems.</summary>
    [JsonPropertyName("node")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Node { get; init; }
}
