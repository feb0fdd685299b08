using VoxScheduler.Operations;

namespace VoxScheduler.Images.Vox1;

/// <summary>The ImgQL standard library of <c>vox1</c> (IMAGES.md §5), embedded in the engine assembly.</summary>
internal static class Vox1Library
{
    /// <summary>The name diagnostics use for positions inside the library.</summary>
    public const string DisplayName = "<vox1 standard library>";

    /// <summary>The library as <c>import "vox1"</c> finds it in the operation registry.</summary>
    public static readonly NamespaceLibrary Instance = new(Vox1Namespace.Name, DisplayName, Read);

    private static string Read()
    {
        using var stream = typeof(Vox1Library).Assembly.GetManifestResourceStream("VoxScheduler.vox1.imgql")
            ?? throw new InvalidOperationException("The vox1 standard library is missing from the engine assembly (a build error).");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
