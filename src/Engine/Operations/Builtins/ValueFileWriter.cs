using System.Text;

namespace VoxScheduler.Operations.Builtins;

/// <summary>
/// Writes a <c>save</c> goal's value to its file (LANGUAGE.md §6): <c>.json</c> as JSON, bytes as
/// raw bytes, anything else as text (<see cref="ValueText"/>). Folders are created; the file
/// is written to a temporary name and renamed, so a reader never sees half a file.
/// </summary>
public static class ValueFileWriter
{
    /// <summary>The bytes <paramref name="path"/> would receive for <paramref name="value"/>.</summary>
    public static byte[] Encode(string path, object? value)
    {
        if (value is byte[] raw)
        {
            return raw;
        }

        var text = string.Equals(Path.GetExtension(path), ".json", StringComparison.OrdinalIgnoreCase)
            ? ValueText.ToJson(value)
            : ValueText.ToText(value);
        return Encoding.UTF8.GetBytes(text);
    }

    /// <summary>Writes the value to the (absolute) path.</summary>
    public static async Task WriteAsync(string path, object? value, CancellationToken cancellationToken = default)
    {
        var bytes = Encode(path, value);
        var folder = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        var temp = path + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            await File.WriteAllBytesAsync(temp, bytes, cancellationToken).ConfigureAwait(false);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }
}
