namespace VoxScheduler.Operations;

/// <summary>
/// The caller's surroundings that some operations need: where relative paths resolve, where
/// saved files may go. Set per execution by the front end (module, server, tests).
/// </summary>
public sealed record OperationEnvironment
{
    /// <summary>Folder that relative paths resolve against (the caller's location, never the process's).</summary>
    public string WorkingDirectory { get; init; } = Directory.GetCurrentDirectory();

    /// <summary>Saved files must stay inside this folder (defaults to <see cref="WorkingDirectory"/>).</summary>
    public string? OutputRoot { get; init; }

    /// <summary>Allow <c>save</c> to write outside <see cref="OutputRoot"/>.</summary>
    public bool AllowWritesOutsideOutputRoot { get; init; }

    /// <summary>
    /// When set (the REST server's data root), operations that list or read files stay inside it
    /// and never answer absolute paths (<c>dir</c>). Null: the caller's own rights.
    /// </summary>
    public string? ReadRoot { get; init; }

    /// <summary>Host-specific services (a PowerShell runspace pool, …) keyed by name.</summary>
    public IReadOnlyDictionary<string, object>? Services { get; init; }

    /// <summary>The default environment (process current directory; for tests and tools).</summary>
    public static OperationEnvironment Default { get; } = new();

    /// <summary>The effective output root.</summary>
    public string EffectiveOutputRoot => OutputRoot ?? WorkingDirectory;
}
