using System.Text.Json.Serialization;

namespace VoxScheduler.Server.Dtos;

/// <summary>The specification's ExecutionResponse (execution_id, status, result) plus links.</summary>
internal sealed record ExecutionResponse
{
    [JsonPropertyName("execution_id")]
    public required string ExecutionId { get; init; }

    /// <summary><c>submitted</c> (async), else the final status: <c>completed</c>, <c>failed</c>, <c>cancelled</c>.</summary>
    [JsonPropertyName("status")]
    public required string Status { get; init; }

    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("dag_id")]
    public required string DagId { get; init; }

    /// <summary>The goal results (synchronous requests), null for asynchronous ones.</summary>
    [JsonPropertyName("result")]
    public ExecutionResultDto? Result { get; init; }

    /// <summary>What the caller should know about how the request runs (e.g. max_concurrent_nodes above the worker cap), or null.</summary>
    [JsonPropertyName("warnings")]
    public IReadOnlyList<string>? Warnings { get; init; }

    [JsonPropertyName("links")]
    public required ExecutionLinks Links { get; init; }
    /// <summary>For an execution run on the cluster: the silo coordinating it (absent for a run on this server).</summary>
    [JsonPropertyName("coordinator")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Coordinator { get; init; }
}
