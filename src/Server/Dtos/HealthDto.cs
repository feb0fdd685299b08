using System.Text.Json.Serialization;

namespace VoxScheduler.Server.Dtos;

/// <summary>The answer to GET /health.</summary>
internal sealed record HealthDto
{
    /// <summary><c>ok</c>; <c>degraded</c> when the server is a cluster client and the cluster is not usable now.</summary>
    [JsonPropertyName("status")]
    public required string Status { get; init; }

    [JsonPropertyName("version")]
    public required string Version { get; init; }

    [JsonPropertyName("uptime_seconds")]
    public double UptimeSeconds { get; init; }

    [JsonPropertyName("running_executions")]
    public int RunningExecutions { get; init; }

    [JsonPropertyName("max_concurrent_executions")]
    public int MaxConcurrentExecutions { get; init; }

    [JsonPropertyName("operations")]
    public int Operations { get; init; }

    [JsonPropertyName("api_key_required")]
    public bool ApiKeyRequired { get; init; }

    /// <summary>The cluster this server is a client of (absent when it runs everything itself).</summary>
    [JsonPropertyName("cluster")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ClusterHealthDto? Cluster { get; init; }
}
