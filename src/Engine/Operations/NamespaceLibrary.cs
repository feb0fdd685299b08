namespace VoxScheduler.Operations;

/// <summary>
/// A namespace's standard library in ImgQL (IMAGES.md §5): declarations that <c>import "ns"</c>
/// brings in with the namespace's primitives. The text ships with whoever registers the namespace
/// (embedded in its assembly), so no file lookup or data-root confinement can refuse it.
/// </summary>
public sealed class NamespaceLibrary
{
    private readonly Lazy<string> _source;

    /// <param name="ns">The namespace the library belongs to (<c>vox1</c>).</param>
    /// <param name="displayName">The file name diagnostics show for positions inside the library.</param>
    /// <param name="readSource">Reads the library's ImgQL text; called once, when a program first imports it.</param>
    public NamespaceLibrary(string ns, string displayName, Func<string> readSource)
    {
        ArgumentException.ThrowIfNullOrEmpty(ns);
        ArgumentException.ThrowIfNullOrEmpty(displayName);
        ArgumentNullException.ThrowIfNull(readSource);
        Namespace = ns;
        DisplayName = displayName;
        _source = new Lazy<string>(readSource);
    }

    /// <summary>The namespace the library belongs to.</summary>
    public string Namespace { get; }

    /// <summary>The name diagnostics use for positions inside the library.</summary>
    public string DisplayName { get; }

    /// <summary>The library's ImgQL text.</summary>
    public string Source => _source.Value;
}
