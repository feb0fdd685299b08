using VoxScheduler.Storage;

namespace VoxScheduler.Cluster.Client;

/// <summary>Where an execution's results go (a namespace of the shared store) and how it runs.</summary>
public sealed record ClusterSubmitOptions
{
    /// <summary>The store namespace in the cluster's PostgreSQL database (any text up to 1,024 characters).</summary>
    public required string StoreNamespace { get; init; }

    /// <summary>A name for the execution (shown in its history).</summary>
    public string? Name { get; init; }

    /// <summary>Nodes in flight at most; 0: every worker slot of the cluster, each with a full batch.</summary>
    public int MaxConcurrency { get; init; }

    /// <summary>Retries of a failed node; null: the engine's default.</summary>
    public int? MaxRetries { get; init; }

    /// <summary>Longest a node may run; null: no limit.</summary>
    public TimeSpan? NodeTimeout { get; init; }

    /// <summary>
    /// How the execution's results are written (compression on or off, codec, streaming threshold),
    /// applied by the workers to every write of this execution as a local run does; null: the
    /// engine's defaults. A codec the engine does not know refuses the submission.
    /// </summary>
    public ResultWriteOptions? WriteOptions { get; init; }

    /// <summary>Where the program or DAG came from (a program path, "program text"), recorded in the execution's history as a local run records it; at most 1,024 characters.</summary>
    public string? Source { get; init; }

    /// <summary>Nodes the execution may hold, run-time loop expansions included (ExecutionConfig.MaxNodes): past it the expanding node fails as in a local run; null: the engine's default.</summary>
    public int? MaxNodes { get; init; }

    /// <summary>Program parameters (numbers, text, booleans), for a program submission.</summary>
    public IReadOnlyDictionary<string, object?>? Parameters { get; init; }
}
