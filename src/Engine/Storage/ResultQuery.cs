namespace VoxScheduler.Storage;

/// <summary>Filters for listing stored results; all null lists everything.</summary>
/// <param name="DagId">
/// Only results of this DAG: produced by one of its executions, or reused from the store by one
/// (the goals and named nodes its executions record in the history, whoever computed them).
/// </param>
/// <param name="ExecutionId">Only results produced by (or named in) this execution.</param>
/// <param name="Limit">At most this many (0: no limit).</param>
public sealed record ResultQuery(string? DagId = null, string? ExecutionId = null, int Limit = 0)
{
    /// <summary>Everything.</summary>
    public static ResultQuery All { get; } = new();
}
