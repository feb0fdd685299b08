using System.Globalization;
using System.Text;
using System.Text.Json;
using VoxScheduler.Dag;
using VoxScheduler.Operations;

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
        var bytes = Render(fullPath, value);
        await WriteAtomicallyAsync(fullPath, async (stream, ct) => await stream.WriteAsync(bytes, ct).ConfigureAwait(false), cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>Writes a bytes value that only exists in the store, copying its stream (tag byte first, skipped).</summary>
    public static async ValueTask WriteBytesFromStreamAsync(string fullPath, Stream encoded, CancellationToken cancellationToken)
    {
        CreateFolder(fullPath);
        var tag = new byte[1];
        if (await encoded.ReadAsync(tag, cancellationToken).ConfigureAwait(false) != 1 || tag[0] != (byte)Values.ValueTag.Bytes)
        {
            throw new NodeExecutionException("save: the stored value is not a bytes value and cannot be copied as a stream.");
        }

        await WriteAtomicallyAsync(fullPath, (stream, ct) => new ValueTask(encoded.CopyToAsync(stream, ct)), cancellationToken).ConfigureAwait(false);
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
