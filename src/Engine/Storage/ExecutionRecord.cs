namespace VoxScheduler.Storage;

/// <summary>An execution as recorded in a store's history.</summary>
public sealed record ExecutionRecord
{
    public required string ExecutionId { get; init; }

    /// <summary>A user-given name, if any.</summary>
    public string? Name { get; init; }

    public string? DagId { get; init; }

    /// <summary>Final or current status: Pending, Running, Completed, Failed, Cancelled, or Interrupted (its process, or its cluster coordinator, ended first).</summary>
    public required string Status { get; init; }

    public DateTimeOffset SubmittedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    public int TotalNodes { get; init; }

    /// <summary>Nodes computed in the execution (its nodes done are this plus <see cref="CachedNodes"/>).</summary>
    public int CompletedNodes { get; init; }

    public int CachedNodes { get; init; }

    public int FailedNodes { get; init; }

    public int SkippedNodes { get; init; }

    /// <summary>Where the DAG came from (a program path, "program text", "dag").</summary>
    public string? Source { get; init; }

    /// <summary>The first error, when the execution failed.</summary>
    public string? Error { get; init; }

    /// <summary>
    /// The process that runs (or ran) it, as <see cref="ExecutionOwner"/> describes; lets a record
    /// left Running by a process that has ended be reported Interrupted. Null in older records.
    /// </summary>
    public string? Owner { get; init; }

    /// <summary>
    /// The cluster silo that coordinates (or coordinated) it, as the cluster names it
    /// (<c>address:port@generation</c>): once the cluster declares that silo dead, the surviving
    /// silos end a record it left Running as Interrupted. Null for local runs and in older records.
    /// </summary>
    public string? Coordinator { get; init; }

    /// <summary>
    /// Bytes allocated by the nodes the execution computed (the specification's
    /// <c>memory_usage_bytes</c>, summed over its nodes). Null in records written before stores
    /// kept it (sqlite and hybrid schema 3, postgres schema 1, filesystem records without the field).
    /// </summary>
    public long? MemoryUsageBytes { get; init; }
}
