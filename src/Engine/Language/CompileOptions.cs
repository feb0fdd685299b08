namespace VoxScheduler.Language;

/// <summary>How a program is reduced to a DAG.</summary>
public sealed record CompileOptions
{
    /// <summary>The program's file (for diagnostics, relative imports and <c>$file</c>/<c>$dir</c>); null for program text.</summary>
    public string? FilePath { get; init; }

    /// <summary>The caller's location: <c>$cwd</c>, and where relative save paths resolve.</summary>
    public string WorkingDirectory { get; init; } = Directory.GetCurrentDirectory();

    /// <summary>Save targets must stay inside this folder (default: <see cref="WorkingDirectory"/>) unless allowed.</summary>
    public string? OutputRoot { get; init; }

    /// <summary>Allow save targets outside the output root.</summary>
    public bool AllowWritesOutsideOutputRoot { get; init; }

    /// <summary>Folders searched for file imports after the importing file's folder (the module's library folder).</summary>
    public IReadOnlyList<string> LibraryPaths { get; init; } = [];
}
