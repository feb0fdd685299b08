using System.Globalization;
using System.Text;
using System.Text.Json;
using VoxScheduler.Dag;

namespace VoxScheduler.Storage;

/// <summary>
/// Execution history of the filesystem store: one JSON file per execution (replaced
/// atomically), and JSON-lines files for its node names and its failure history (appended;
/// a torn last line left by a crash is skipped when read).
/// </summary>
internal sealed class FileSystemExecutionLog
{
    private readonly string _folder;
    private readonly Lock[] _locks = Enumerable.Range(0, 32).Select(_ => new Lock()).ToArray();

    public FileSystemExecutionLog(string folder)
    {
        _folder = folder;
    }

    private Lock LockFor(string executionId) => _locks[(StringComparer.Ordinal.GetHashCode(executionId) & int.MaxValue) % _locks.Length];

    /// <summary>A file-name-safe, case-insensitive-filesystem-safe form of an execution id.</summary>
    internal static string Escape(string executionId)
    {
        if (string.IsNullOrEmpty(executionId)) throw new ArgumentException("An execution id is required.", nameof(executionId));
        var builder = new StringBuilder(executionId.Length);
        foreach (var b in Encoding.UTF8.GetBytes(executionId))
        {
            var c = (char)b;
            if (c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_') builder.Append(c);
            else builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }

        return builder.ToString();
    }

    private string PathOf(string executionId, string suffix) => Path.Combine(_folder, Escape(executionId) + suffix);

    public void Record(ExecutionRecord r)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("execution_id", r.ExecutionId);
            if (r.Name is not null) w.WriteString("name", r.Name);
            if (r.DagId is not null) w.WriteString("dag_id", r.DagId);
            w.WriteString("status", r.Status);
            w.WriteNumber("submitted_at", r.SubmittedAt.ToUnixTimeMilliseconds());
            if (r.CompletedAt is { } completed) w.WriteNumber("completed_at", completed.ToUnixTimeMilliseconds());
            w.WriteNumber("total_nodes", r.TotalNodes);
            w.WriteNumber("completed_nodes", r.CompletedNodes);
            w.WriteNumber("cached_nodes", r.CachedNodes);
            w.WriteNumber("failed_nodes", r.FailedNodes);
            w.WriteNumber("skipped_nodes", r.SkippedNodes);
            if (r.Source is not null) w.WriteString("source", r.Source);
            if (r.Error is not null) w.WriteString("error", r.Error);
            if (r.Owner is not null) w.WriteString("owner", r.Owner);
            if (r.MemoryUsageBytes is { } memory) w.WriteNumber("memory_usage_bytes", memory);
            w.WriteEndObject();
        }

        Directory.CreateDirectory(_folder);
        var temp = Path.Combine(_folder, $".{Guid.NewGuid():N}.tmp");
        File.WriteAllBytes(temp, buffer.ToArray());
        lock (LockFor(r.ExecutionId))
        {
            File.Move(temp, PathOf(r.ExecutionId, ".json"), overwrite: true);
        }
    }

    public ExecutionRecord? Get(string executionId) => Read(PathOf(executionId, ".json"));

    /// <summary>Removes an execution's record, names and history; false when it had no record.</summary>
    public bool Delete(string executionId)
    {
        lock (LockFor(executionId))
        {
            var record = PathOf(executionId, ".json");
            var existed = File.Exists(record);
            foreach (var suffix in new[] { ".names.jsonl", ".history.jsonl", ".json" })
            {
                File.Delete(PathOf(executionId, suffix));
            }

            return existed;
        }
    }

    public List<ExecutionRecord> List()
    {
        var list = new List<ExecutionRecord>();
        if (!Directory.Exists(_folder)) return list;
        foreach (var file in Directory.EnumerateFiles(_folder, "*.json"))
        {
            if (!file.EndsWith(".json", StringComparison.Ordinal) || Path.GetFileName(file).StartsWith('.')) continue;
            if (Read(file) is { } record) list.Add(record);
        }

        list.Sort((a, b) => b.SubmittedAt != a.SubmittedAt ? b.SubmittedAt.CompareTo(a.SubmittedAt) : string.CompareOrdinal(a.ExecutionId, b.ExecutionId));
        return list;
    }

    private static ExecutionRecord? Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            return ExecutionOwner.Resolve(new ExecutionRecord
            {
                ExecutionId = root.GetProperty("execution_id").GetString()!,
                Name = Optional(root, "name"),
                DagId = Optional(root, "dag_id"),
                Status = root.GetProperty("status").GetString()!,
                SubmittedAt = DateTimeOffset.FromUnixTimeMilliseconds(root.GetProperty("submitted_at").GetInt64()),
                CompletedAt = root.TryGetProperty("completed_at", out var c) ? DateTimeOffset.FromUnixTimeMilliseconds(c.GetInt64()) : null,
                TotalNodes = root.GetProperty("total_nodes").GetInt32(),
                CompletedNodes = root.GetProperty("completed_nodes").GetInt32(),
                CachedNodes = root.GetProperty("cached_nodes").GetInt32(),
                FailedNodes = root.GetProperty("failed_nodes").GetInt32(),
                SkippedNodes = root.GetProperty("skipped_nodes").GetInt32(),
                Source = Optional(root, "source"),
                Error = Optional(root, "error"),
                Owner = Optional(root, "owner"),
                // Records written before the field existed have none: they read as unknown.
                MemoryUsageBytes = root.TryGetProperty("memory_usage_bytes", out var memory) ? memory.GetInt64() : null,
            });
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new StorageException($"The execution record '{path}' is damaged: {e.Message}", null, e);
        }
    }

    public void AppendNames(string executionId, IReadOnlyList<ExecutionNodeName> names)
    {
        var text = new StringBuilder();
        foreach (var n in names)
        {
            text.Append(JsonSerializer.Serialize(new NameLine(n.Name, n.NodeId.ToString(), n.IsGoal, n.Ordinal), FileSystemJsonContext.Default.NameLine)).Append('\n');
        }

        Append(executionId, ".names.jsonl", text.ToString());
    }

    public void AppendHistory(NodeHistoryEntry e)
    {
        var line = JsonSerializer.Serialize(new HistoryLine(e.NodeId.ToString(), e.Operator, e.Attempt, e.Status, e.Error, e.At.ToUnixTimeMilliseconds()), FileSystemJsonContext.Default.HistoryLine);
        Append(e.ExecutionId, ".history.jsonl", line + "\n");
    }

    private void Append(string executionId, string suffix, string text)
    {
        Directory.CreateDirectory(_folder);
        var bytes = Encoding.UTF8.GetBytes(text);
        lock (LockFor(executionId))
        {
            using var stream = new FileStream(PathOf(executionId, suffix), FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }
    }

    public List<ExecutionNodeName> Names(string executionId)
    {
        var byKey = new Dictionary<(int, string), ExecutionNodeName>();
        foreach (var line in Lines(PathOf(executionId, ".names.jsonl")))
        {
            var n = Parse(line, FileSystemJsonContext.Default.NameLine);
            if (n is null || !NodeId.TryParse(n.NodeId, out var id)) continue;
            byKey[(n.Ordinal, n.Name)] = new ExecutionNodeName(executionId, n.Name, id, n.IsGoal, n.Ordinal);
        }

        return byKey.Values.OrderBy(n => n.Ordinal).ThenBy(n => n.Name, StringComparer.Ordinal).ToList();
    }

    public List<NodeHistoryEntry> History(string executionId)
    {
        var list = new List<NodeHistoryEntry>();
        foreach (var line in Lines(PathOf(executionId, ".history.jsonl")))
        {
            var h = Parse(line, FileSystemJsonContext.Default.HistoryLine);
            if (h is null || !NodeId.TryParse(h.NodeId, out var id)) continue;
            list.Add(new NodeHistoryEntry(executionId, id, h.Operator, h.Attempt, h.Status, h.Error, DateTimeOffset.FromUnixTimeMilliseconds(h.At)));
        }

        return list;
    }

    private static IEnumerable<string> Lines(string path)
    {
        string text;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            text = reader.ReadToEnd();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            yield break;
        }

        foreach (var line in text.Split('\n'))
        {
            if (line.Length > 0) yield return line;
        }
    }

    private static T? Parse<T>(string line, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(line, info);
        }
        catch (JsonException)
        {
            // A torn line from a crash mid-append: everything before it is intact.
            return null;
        }
    }

    private static string? Optional(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    internal sealed record NameLine(string Name, string NodeId, bool IsGoal, int Ordinal);

    internal sealed record HistoryLine(string NodeId, string? Operator, int Attempt, string Status, string? Error, long At);
}
