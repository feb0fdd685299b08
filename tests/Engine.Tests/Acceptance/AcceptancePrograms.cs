namespace VoxScheduler.Tests.Acceptance;

/// <summary>Finds the acceptance programs of the repository (tests/programs), from wherever the tests run.</summary>
public static class AcceptancePrograms
{
    /// <summary>The tests/programs folder of this clone.</summary>
    public static string Folder => RepoPaths.Programs;

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
}
