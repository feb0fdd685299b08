namespace VoxScheduler.Values;

/// <summary>
/// Reads a value from a file of given extensions, for <c>load</c>. A kind registers its readers
/// (<see cref="ValueKind.FileReaders"/>), so <c>load</c> dispatches by extension and never names
/// the kind.
/// </summary>
public abstract class ValueFileReader
{
    /// <summary>Creates a reader for files ending in one of <paramref name="extensions"/> (with the dot, e.g. <c>.nii.gz</c>).</summary>
    protected ValueFileReader(params string[] extensions)
    {
        ArgumentNullException.ThrowIfNull(extensions);
        if (extensions.Length == 0 || extensions.Any(e => string.IsNullOrEmpty(e) || e[0] != '.'))
        {
            throw new ArgumentException("Extensions start with a dot.", nameof(extensions));
        }

        Extensions = extensions.Select(e => e.ToLowerInvariant()).ToArray();
    }

    /// <summary>The extensions read, lower case, with the dot.</summary>
    public IReadOnlyList<string> Extensions { get; }

    /// <summary>Reads the value of a file whose whole content is <paramref name="content"/>.</summary>
    /// <param name="path">The file's path, for messages.</param>
    /// <param name="content">The file's bytes (already read, and hashed by the caller).</param>
    /// <exception cref="InvalidDataException">The file is not a valid file of this format; the message names the file.</exception>
    public abstract object Read(string path, ReadOnlyMemory<byte> content);
}
