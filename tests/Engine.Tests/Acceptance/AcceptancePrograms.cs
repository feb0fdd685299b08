namespace VoxScheduler.Tests.Acceptance;

/// <summary>Finds the acceptance programs of the repository (tests/programs), from wherever the tests run.</summary>
public static class AcceptancePrograms
{
    /// <summary>The tests/programs folder of this clone.</summary>
    public static string Folder { get; } = FindFolder();

    /// <summary>The program names (without extension) of a folder, sorted, for theory data.</summary>
    public static TheoryData<string> Names(string? folder = null)
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(folder ?? Folder, "*.imgql").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileNameWithoutExtension(file));
        }

        return data;
    }

    /// <summary>A folder of the repository, found upwards from the test binaries.</summary>
    public static string RepositoryFolder(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException(relative + " not found above " + AppContext.BaseDirectory);
    }

    private static string FindFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "programs");
            if (File.Exists(Path.Combine(candidate, "hello.imgql")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("tests/programs not found above " + AppContext.BaseDirectory);
    }
}
