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

    /// <summary>
    /// When set, file imports must resolve inside this folder (or one of <see cref="LibraryPaths"/>),
    /// links included, or the program is rejected; a constant-path <c>load</c> outside it is not read
    /// while reducing (it stays volatile, for the host's confined load to refuse at run time). Null:
    /// no restriction (the caller's own rights, as in the PowerShell module). The REST server sets it
    /// to its data root so a submitted program cannot read the server's files.
    /// </summary>
    public string? ReadRoot { get; init; }

    /// <summary>
    /// Program parameters (docs/language.md §2): each replaces the main program's top-level value
    /// declaration of that name with a constant (double, string, bool, null, or arrays and records
    /// of those); a name the program does not declare is an error. Null or empty: none.
    /// </summary>
    public IReadOnlyDictionary<string, object?>? Parameters { get; init; }

    /// <summary>Folders searched for file imports after the importing file's folder (the module's library folder).</summary>
    public IReadOnlyList<string> LibraryPaths { get; init; } = [];

    /// <summary>Default of <see cref="MaxNodes"/>: a few million nodes (about a gigabyte of plan at most).</summary>
    public const int DefaultMaxNodes = 4_000_000;

    /// <summary>Default of <see cref="Timeout"/>.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Most DAG nodes the reduction may build (the compile node budget); past it compilation stops
    /// with a <see cref="BudgetExceededException"/> naming the budget. Checked while reducing.
    /// </summary>
    public int MaxNodes { get; init; } = DefaultMaxNodes;

    /// <summary>Longest a compilation may take (null: no deadline); checked while reducing.</summary>
    public TimeSpan? Timeout { get; init; } = DefaultTimeout;
}
