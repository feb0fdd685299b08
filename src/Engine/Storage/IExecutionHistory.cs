namespace VoxScheduler.Storage;

/// <summary>
/// The execution history a store keeps beside its results: one record per execution, its named
/// nodes (goals, user labels), and its failures and retries.
/// </summary>
public interface IExecutionHistory
{
    /// <summary>Inserts or updates an execution's record.</summary>
    ValueTask RecordExecutionAsync(ExecutionRecord record, CancellationToken cancellationToken = default);

    /// <summary>Records the named nodes (goals, user labels) of an execution.</summary>
    ValueTask RecordNodeNamesAsync(string executionId, IReadOnlyList<ExecutionNodeName> names, CancellationToken cancellationToken = default);

    /// <summary>Appends failures and retries to the history.</summary>
    ValueTask RecordNodeHistoryAsync(NodeHistoryEntry entry, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes an execution from the history: its record, named nodes and node history (its
    /// results stay: they are content-addressed and may serve other executions). False when unknown.
    /// </summary>
    ValueTask<bool> DeleteExecutionAsync(string executionId, CancellationToken cancellationToken = default);

    /// <summary>One execution's record, or null.</summary>
    ValueTask<ExecutionRecord?> GetExecutionAsync(string executionId, CancellationToken cancellationToken = default);

    /// <summary>Past and current executions, newest first.</summary>
    IAsyncEnumerable<ExecutionRecord> ListExecutionsAsync(CancellationToken cancellationToken = default);

    /// <summary>The named nodes of an execution, in ordinal order.</summary>
    IAsyncEnumerable<ExecutionNodeName> ListExecutionNodesAsync(string executionId, CancellationToken cancellationToken = default);

    /// <summary>The failure and retry history of an execution.</summary>
    IAsyncEnumerable<NodeHistoryEntry> ListNodeHistoryAsync(string executionId, CancellationToken cancellationToken = default);
}
