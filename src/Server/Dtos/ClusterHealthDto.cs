using System.Text.Json.Serialization;

namespace VoxScheduler.Server.Dtos;

/// <summary>The cluster part of GET /health, for a server that is a cluster client: what the last check of the cluster found.</summary>
internal sealed record ClusterHealthDto
{
    /// <summary><c>connected</c> (an active silo answered), <c>unavailable</c> or <c>reconnecting</c>.</summary>
    [JsonPropertyName("state")]
    public required string State { get; init; }

    [JsonPropertyName("cluster_id")]
    public required string ClusterId { get; init; }

    [JsonPropertyName("active_silos")]
    public int ActiveSilos { get; init; }

    /// <summary>Worker slots of the active silos together.</summary>
    [JsonPropertyName("slots")]
    public int Slots { get; init; }

    [JsonPropertyName("checked_at")]
    public DateTimeOffset CheckedAt { get; init; }

    /// <summary>Why the cluster is not usable, when it is not.</summary>
    [JsonPropertyName("error")]
    public string? Error { get; init; }
}
