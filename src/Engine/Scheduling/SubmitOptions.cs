using VoxScheduler.Operations;
using VoxScheduler.Storage;

namespace VoxScheduler.Scheduling;

/// <summary>Per-submission choices that are not part of the specification's ExecutionConfig.</summary>
public sealed record SubmitOptions
{
    /// <summary>A user-chosen name, unique among running executions (for lookups by name).</summary>
    public string? Name { get; init; }

    /// <summary>Where the DAG came from, recorded in the history (a program path, "program text", "dag").</summary>
    public string? Source { get; init; }

    /// <summary>The caller's environment (working directory, output root).</summary>
    public OperationEnvironment? Environment { get; init; }

    /// <summary>Use this store instead of opening the one named by the config's backend and path.</summary>
    public IResultStore? Store { get; init; }
}
