using System.Globalization;
using System.Text.Json;
using VoxScheduler.Dag;
using VoxScheduler.Values;

namespace VoxScheduler.Storage;

/// <summary>The metadata file of a filesystem-store result: what <see cref="StorageMetadata"/> holds plus the data file's name.</summary>
internal sealed record FileSystemMetadata(StorageMetadata Metadata, string DataFile, byte[] StoredHash)
{
    public byte[] ToJson()
    {
        var m = Metadata;
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("node_id", m.NodeId.ToString());
            w.WriteString("data_type", m.DataType.ToString());
            w.WriteNumber("size", m.Size);
            w.WriteNumber("stored_size", m.StoredSize);
            if (m.Compression is null) w.WriteNull("compression");
            else w.WriteString("compression", m.Compression);
            w.WriteString("content_hash", m.ContentHash);
            w.WriteString("checksum", m.Checksum);
            w.WriteString("created_at", m.CreatedAt.ToString("O", CultureInfo.InvariantCulture));
            WriteOptional(w, "dag_id", m.DagId);
            WriteOptional(w, "execution_id", m.ExecutionId);
            WriteOptional(w, "operator", m.Operator);
            w.WriteString("data_file", DataFile);
            if (m.Metadata is { Count: > 0 })
            {
                w.WritePropertyName("metadata");
                UserMetadataJson.WriteValue(w, m.Metadata, 0);
            }

            w.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteOptional(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null) w.WriteString(name, value);
    }

    /// <summary>Parses a metadata file; throws <see cref="StorageCorruptionException"/> when it is damaged.</summary>
    public static FileSystemMetadata Parse(ReadOnlySpan<byte> json, NodeId expected, DateTimeOffset lastAccessed)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            var id = NodeId.Parse(root.GetProperty("node_id").GetString()!);
            if (id != expected) throw new FormatException($"metadata names node {id}");
            var checksum = root.GetProperty("checksum").GetString();
            var storedHash = StoreHash.FromHex(checksum) ?? throw new FormatException("bad checksum");
            var metadata = new StorageMetadata
            {
                NodeId = id,
                DataType = Enum.Parse<DataType>(root.GetProperty("data_type").GetString()!),
                Size = root.GetProperty("size").GetInt64(),
                StoredSize = root.GetProperty("stored_size").GetInt64(),
                Compression = root.GetProperty("compression").GetString(),
                ContentHash = root.GetProperty("content_hash").GetString(),
                Checksum = checksum,
                CreatedAt = DateTimeOffset.Parse(root.GetProperty("created_at").GetString()!, CultureInfo.InvariantCulture),
                LastAccessedAt = lastAccessed,
                DagId = Optional(root, "dag_id"),
                ExecutionId = Optional(root, "execution_id"),
                Operator = Optional(root, "operator"),
                Metadata = root.TryGetProperty("metadata", out var user) ? UserMetadataJson.ToValue(user) as Dictionary<string, object?> : null,
            };
            var dataFile = root.GetProperty("data_file").GetString()!;
            if (dataFile.Contains('/') || dataFile.Contains('\\') || dataFile.Contains("..", StringComparison.Ordinal)) throw new FormatException("bad data file name");
            return new FileSystemMetadata(metadata, dataFile, storedHash);
        }
        catch (Exception e) when (e is JsonException or FormatException or KeyNotFoundException or InvalidOperationException or ArgumentException or OverflowException)
        {
            throw new StorageCorruptionException($"The metadata file of a stored result is damaged: {e.Message}", expected, e);
        }
    }

    private static string? Optional(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
