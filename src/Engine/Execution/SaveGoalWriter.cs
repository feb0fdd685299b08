using System.Globalization;
using System.Text;
using System.Text.Json;
using VoxScheduler.Dag;
using VoxScheduler.Operations;
using VoxScheduler.Values;

namespace VoxScheduler.Execution;

/// <summary>
/// Writes the value of a <c>save</c> goal (docs/language.md §6): <c>.json</c> files as JSON, anything
/// else as text for scalars and strings (numbers in ECMAScript's shortest round-trip form,
/// invariant culture: 10 → <c>10</c>), sequences and records as JSON text, bytes raw. Folders
/// are created. The target must stay inside the environment's output root unless writes
/// outside it are allowed: checked again here, at write time, whatever the front end did.
/// </summary>
internal static class SaveGoalWriter
{
    /// <summary>The full path a save goal writes to, or a clear error when it is not allowed.</summary>
    public static string ResolveTarget(string path, OperationEnvironment environment)
    {
        var full = Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(environment.WorkingDirectory, path));
        if (!environment.AllowWritesOutsideOutputRoot)
        {
            var root = Path.GetFullPath(environment.EffectiveOutputRoot);
            var relative = Path.GetRelativePath(root, full);
            if (relative == ".." || relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal) ||
                relative.StartsWith("../", StringComparison.Ordinal) || Path.IsPathRooted(relative))
            {
                throw new NodeExecutionException($"save: '{full}' is outside the output root '{root}'; writes outside it are not allowed.");
            }
        }

        return full;
    }

    /// <summary>Writes an in-memory value.</summary>
    public static async ValueTask WriteAsync(string fullPath, object? value, CancellationToken cancellationToken)
    {
        CreateFolder(fullPath);
        if (FileWriter(fullPath, value) is { } writer)
        {
            await WriteAtomicallyAsync(fullPath, (stream, _) =>
            {
                writer.Write(stream, fullPath, value!);
                return ValueTask.CompletedTask;
            }, cancellationToken).ConfigureAwait(false);
            return;
        }

        var bytes = Render(fullPath, value);
        await WriteAtomicallyAsync(fullPath, async (stream, ct) => await stream.WriteAsync(bytes, ct).ConfigureAwait(false), cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>
    /// Writes a large value that only exists in the store: bytes are copied from its stream (tag
    /// byte first, skipped); a value of another kind is read from the stream by its kind (one
    /// copy of its payload) and written as <see cref="WriteAsync"/> does.
    /// </summary>
    public static async ValueTask WriteFromStreamAsync(string fullPath, Stream encoded, long length, CancellationToken cancellationToken)
    {
        CreateFolder(fullPath);
        var tag = new byte[1];
        if (await encoded.ReadAsync(tag, cancellationToken).ConfigureAwait(false) != 1)
        {
            throw new NodeExecutionException("save: the stored value is empty.");
        }

        if (tag[0] != (byte)ValueTag.Bytes)
        {
            var kind = ValueKinds.FromTag(tag[0]) ?? throw new NodeExecutionException($"save: the stored value has an unknown tag {tag[0]}.");
            await WriteAsync(fullPath, kind.ReadPayload(encoded, length - 1), cancellationToken).ConfigureAwait(false);
            return;
        }

        await WriteAtomicallyAsync(fullPath, (stream, ct) => new ValueTask(encoded.CopyToAsync(stream, ct)), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The writer of a value kind that owns the target's extension, when the value is of that kind;
    /// a clear error when the extension belongs to another kind, or the value's kind has files of
    /// its own and this is not one of them. Bytes are always written raw.
    /// </summary>
    private static ValueFileWriter? FileWriter(string fullPath, object? value)
    {
        if (value is byte[]) return null;
        var kind = ValueKinds.Of(value);
        if (ValueKinds.WriterFor(fullPath) is { } found)
        {
            if (kind == found.Kind) return found.Writer;
            throw new NodeExecutionException($"save: {Path.GetFileName(fullPath)} is a file of {found.Kind.Name} values; the value is {kind?.Name ?? "unknown"}.");
        }

        if (kind is { FileWriters.Count: > 0 })
        {
            var extensions = kind.FileWriters.SelectMany(w => w.Extensions).Distinct();
            throw new NodeExecutionException($"save: {kind.Name} values are saved as {string.Join(", ", extensions)}, not as {Path.GetFileName(fullPath)}.");
        }

        return null;
    }

    /// <summary>The bytes a value is saved as, chosen by the file's extension.</summary>
    public static byte[] Render(string path, object? value)
    {
        if (value is byte[] raw)
        {
            return raw;
        }

        var json = string.Equals(Path.GetExtension(path), ".json", StringComparison.OrdinalIgnoreCase);
        if (json || value is object?[] or IReadOnlyDictionary<string, object?>)
        {
            return ToJson(value);
        }

        return Encoding.UTF8.GetBytes(value switch
        {
            null => "null",
            string s => s,
            bool b => b ? "true" : "false",
            double d => FormatNumber(d),
            ulong u => u.ToString(CultureInfo.InvariantCulture),
            long l => l.ToString(CultureInfo.InvariantCulture),
            _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
        });
    }

    /// <summary>JSON text of a runtime value (numbers in ECMAScript form, bytes as base64).</summary>
    public static byte[] ToJson(object? value)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false, SkipValidation = false }))
        {
            WriteJson(writer, value, 0);
        }

        return buffer.ToArray();
    }

    private static void WriteJson(Utf8JsonWriter writer, object? value, int depth)
    {
        if (depth > 512) throw new NodeExecutionException("save: value nested too deeply for JSON.");
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case double d:
                if (double.IsFinite(d)) writer.WriteRawValue(FormatNumber(d), skipInputValidation: true);
                else writer.WriteStringValue(d.ToString(CultureInfo.InvariantCulture));
                break;
            case ulong u:
                writer.WriteNumberValue(u);
                break;
            case long l:
                writer.WriteNumberValue(l);
                break;
            case byte[] bytes:
                writer.WriteBase64StringValue(bytes);
                break;
            case object?[] items:
                writer.WriteStartArray();
                foreach (var item in items) WriteJson(writer, item, depth + 1);
                writer.WriteEndArray();
                break;
            case IReadOnlyDictionary<string, object?> record:
                writer.WriteStartObject();
                foreach (var (key, item) in record.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(key);
                    WriteJson(writer, item, depth + 1);
                }

                writer.WriteEndObject();
                break;
            default:
                writer.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }

    private static string FormatNumber(double d) => double.IsFinite(d) ? CanonicalJson.FormatNumber(d) : d.ToString(CultureInfo.InvariantCulture);

    private static void CreateFolder(string fullPath)
    {
        var folder = Path.GetDirectoryName(fullPath);
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
    }

    // Temp file + rename: a reader (or a crash) never sees a half-written file.
    private static async ValueTask WriteAtomicallyAsync(string fullPath, Func<Stream, CancellationToken, ValueTask> write, CancellationToken cancellationToken)
    {
        var temp = fullPath + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                await write(stream, cancellationToken).ConfigureAwait(false);
            }

            File.Move(temp, fullPath, overwrite: true);
        }
        catch
        {
            try
            {
                File.Delete(temp);
            }
            catch (IOException)
            {
                // Best effort: the temp file is named so it cannot be mistaken for the target.
            }

            throw;
        }
    }
}
