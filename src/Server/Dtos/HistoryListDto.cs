using System.Text.Json.Serialization;

namespace VoxScheduler.Server.Dtos;

/// <summary>The executions recorded in one store, newest first.</summary>
internal sealed record HistoryListDto
{
    [JsonPropertyName("storage_backend")]
    public required string StorageBackend { get; init; }

    [JsonPropertyName("storage_path")]
    public required string StoragePath { get; init; }

    [JsonPropertyName("count")]
    public int Count { get; init; }

    [JsonPropertyName("executions")]
    public required IReadOnlyList<HistoryRecordDto> Executions { get; init; }
}
