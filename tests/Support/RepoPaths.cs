namespace VoxScheduler.Tests.Support;

/// <summary>Paths inside the repository clone (tests never depend on folders outside it).</summary>
internal static class RepoPaths
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    /// <summary>The repository root (the folder holding DynamicScheduler.sln).</summary>
    public static string Root => LazyRoot.Value;

    /// <summary>The acceptance programs kept in the repository.</summary>
    public static string Programs => Path.Combine(Root, "tests", "programs");

    /// <summary>The example programs.</summary>
    public static string Examples => Path.Combine(Root, "examples");

    /// <summary>The build configuration this test assembly was compiled in.</summary>
    public static string Configuration =>
#if DEBUG
        "Debug";
#else
        "Release";
#endif

    /// <summary>Every real program of the repository (acceptance programs and examples).</summary>
    public static IReadOnlyList<string> RealPrograms()
    {
        var files = new List<string>();
        foreach (var dir in new[] { Programs, Examples })
        {
            if (Directory.Exists(dir))
            {
                files.AddRange(Directory.EnumerateFiles(dir, "*.imgql", SearchOption.AllDirectories));
            }
        }

        files.Sort(StringComparer.Ordinal);
        return files;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DynamicScheduler.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No DynamicScheduler.sln above {AppContext.BaseDirectory}: the tests must run from a clone of the repository.");
    }
}
