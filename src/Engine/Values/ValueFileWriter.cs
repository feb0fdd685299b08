namespace VoxScheduler.Values;

/// <summary>
/// Writes a value to a file of given extensions, for <c>save</c>. A kind registers its writers
/// (<see cref="ValueKind.FileWriters"/>), so <c>save</c> dispatches by extension and never names
/// the kind.
/// </summary>
public abstract class ValueFileWriter
{
    /// <summary>Creates a writer for files ending in one of <paramref name="extensions"/> (with the dot, e.g. <c>.png</c>).</summary>
    protected ValueFileWriter(params string[] extensions)
    {
        ArgumentNullException.ThrowIfNull(extensions);
        if (extensions.Length == 0 || extensions.Any(e => string.IsNullOrEmpty(e) || e[0] != '.'))
        {
            throw new ArgumentException("Extensions start with a dot.", nameof(extensions));
        }

        Extensions = extensions.Select(e => e.ToLowerInvariant()).ToArray();
    }

    /// <summary>The extensions written, lower case, with the dot.</summary>
    public IReadOnlyList<string> Extensions { get; }

    /// <summary>Writes <paramref name="value"/> (of the writer's kind) as the file <paramref name="path"/> into <paramref name="output"/>.</summary>
    /// <exception cref="InvalidOperationException">This value cannot be written in this format (the message says why).</exception>
    public abstract void Write(Stream output, string path, object value);
}
