using VoxScheduler.Dag;
using VoxScheduler.Execution;
using VoxScheduler.Storage;

namespace VoxScheduler.Scheduling;

/// <summary>A submitted execution: observe it, wait for it, cancel it. Thread-safe.</summary>
public interface IExecution
{
    string ExecutionId { get; }

    string? Name { get; }

    /// <summary>
    /// The DAG. A finished local execution keeps no DAG objects: it rebuilds this on demand from a
    /// compact copy, so callers that need only its id, goals or size should use <see cref="DagId"/>,
    /// <see cref="GetGoalResults"/> and <see cref="GetProgress"/> (TotalNodes) instead.
    /// </summary>
    DagDefinition Dag { get; }

    /// <summary>The DAG's id, kept without the DAG itself.</summary>
    string DagId => Dag.DagId;

    ExecutionConfig Config { get; }

    /// <summary>The store results go to (null for memory-only executions).</summary>
    IResultStore? Store { get; }

    ExecutionStatus Status { get; }

    DateTimeOffset SubmittedAt { get; }

    DateTimeOffset? CompletedAt { get; }

    /// <summary>
    /// What went wrong: why it could not start, was interrupted or could not make its results
    /// durable, else the first node error; null while nothing has (a cluster execution followed from
    /// here knows it once it has ended). The history record keeps the same text.
    /// </summary>
    string? Error { get; }

    /// <summary>Completes (never faults) when the execution has ended, with its final status.</summary>
    Task<ExecutionStatus> Completion { get; }

    /// <summary>A progress snapshot; cheap, callable any time.</summary>
    ExecutionProgress GetProgress();

    /// <summary>The goals in source order, finished ones with their values.</summary>
    IReadOnlyList<GoalResult> GetGoalResults();

    /// <summary>
    /// The state of each node of <see cref="Dag"/>, by node index (a snapshot). Null for a node
    /// the execution does not need to run (a stored result downstream makes it unnecessary).
    /// </summary>
    IReadOnlyList<NodeStatus?> GetNodeStatuses();

    /// <summary>
    /// Events as they happen. With <paramref name="replay"/>, first yields a GoalFinished event
    /// for every goal already finished, so a late subscriber misses no goal. The stream ends
    /// after ExecutionFinished. A slow reader never blocks the execution (progress events may
    /// be coalesced for it; goal and finish events are never dropped).
    /// </summary>
    IAsyncEnumerable<ExecutionEvent> WatchAsync(bool replay = true, CancellationToken cancellationToken = default);

    /// <summary>Requests cancellation; running operations see their token cancelled.</summary>
    void Cancel();
}
