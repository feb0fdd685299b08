using System.Text.Json.Serialization;

namespace VoxScheduler.Server.Dtos;

/// <summary>What a maintenance request (eviction or history trimming) did to one store.</summary>
internal sealed record MaintenanceReportDto
{
    [JsonPropertyName("storage_backend")]
    public required string StorageBackend { get; init; }

    [JsonPropertyName("storage_path")]
    public required string StoragePath { get; init; }

    /// <summary>Results removed (eviction) or executions forgotten (history trimming).</summary>
    [JsonPropertyName("removed")]
    public int Removed { get; init; }

    /// <summary>Bytes of the removed results (eviction only).</summary>
    [JsonPropertyName("removed_bytes")]
    public long? RemovedBytes { get; init; }

    /// <summary>Results (eviction) or executions (history trimming) left.</summary>
    [JsonPropertyName("remaining")]
    public int Remaining { get; init; }

    /// <summary>Bytes of the results left (eviction only).</summary>
    [JsonPropertyName("remaining_bytes")]
    public long? RemainingBytes { get; init; }
}
