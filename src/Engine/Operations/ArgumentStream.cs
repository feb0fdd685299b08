namespace VoxScheduler.Operations;

/// <summary>
/// An argument read as a stream (the specification's <c>read_dependency_stream</c>): the value's
/// byte form as its kind writes it (for bytes, the bytes themselves), from the store when the
/// input is stored or from memory when it is not, so a large input is never loaded whole.
/// Dispose it when done.
/// </summary>
public sealed class ArgumentStream : IDisposable, IAsyncDisposable
{
    internal ArgumentStream(string kind, long length, Stream content)
    {
        Kind = kind;
        Length = length;
        Content = content;
    }

    /// <summary>The value kind's name (<c>bytes</c>, <c>string</c>, <c>image</c>, …).</summary>
    public string Kind { get; }

    /// <summary>Number of bytes <see cref="Content"/> holds.</summary>
    public long Length { get; }

    /// <summary>The byte form, read-only, positioned at its start (a stored one is verified as it is read).</summary>
    public Stream Content { get; }

    /// <inheritdoc />
    public void Dispose() => Content.Dispose();

    /// <inheritdoc />
    public ValueTask DisposeAsync() => Content.DisposeAsync();
}
