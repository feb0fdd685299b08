using System.Text.Json.Serialization;

namespace VoxScheduler.Storage;

/// <summary>Source-generated JSON for the filesystem store's JSON-lines records.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(FileSystemExecutionLog.NameLine))]
[JsonSerializable(typeof(FileSystemExecutionLog.HistoryLine))]
internal sealed partial class FileSystemJsonContext : JsonSerializerContext
{
}
