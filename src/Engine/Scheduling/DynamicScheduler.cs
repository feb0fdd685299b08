using VoxScheduler.Dag;
using VoxScheduler.Operations;
using VoxScheduler.Storage;

namespace VoxScheduler.Scheduling;

/// <summary>
/// Runs DAGs: one per process, many concurrent executions, each on its own store (opened
/// once per backend and path and shared by the executions that use it).
/// </summary>
public sealed class DynamicScheduler : IAsyncDisposable
{
    /// <summary>Creates a scheduler over a set of operations.</summary>
    public DynamicScheduler(OperationRegistry operations, SchedulerOptions? options = null)
        => throw new NotImplementedException("scheduler: filled in by the scheduler work");

    /// <summary>The operations nodes may use.</summary>
    public OperationRegistry Operations => throw new NotImplementedException();

    /// <summary>
    /// Validates the DAG (every problem at once, as a <see cref="ValidationException"/>), opens
    /// or reuses the store named by the config, and starts the execution. Returns at once.
    /// </summary>
    public ValueTask<IExecution> SubmitAsync(DagDefinition dag, ExecutionConfig? config = null, SubmitOptions? options = null,
        CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>The store for a backend and path, opened once and shared.</summary>
    public ValueTask<IResultStore> GetStoreAsync(string backend, string path, CancellationToken cancellationToken = default)
        => throw new NotImplementedException();

    /// <summary>An execution of this process by id or name, or null.</summary>
    public IExecution? Find(string idOrName) => throw new NotImplementedException();

    /// <summary>A progress snapshot, or null for an unknown execution.</summary>
    public ExecutionProgress? GetProgress(string executionId) => throw new NotImplementedException();

    /// <summary>Cancels an execution; false when unknown or already finished.</summary>
    public ValueTask<bool> CancelAsync(string executionId) => throw new NotImplementedException();

    /// <summary>Waits for an execution to end.</summary>
    /// <exception cref="SchedulingException">Unknown execution.</exception>
    public Task<ExecutionStatus> WaitAsync(string executionId, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>Executions of this process (running and finished), newest first.</summary>
    public IReadOnlyList<IExecution> ListExecutions() => throw new NotImplementedException();

    /// <inheritdoc />
    public ValueTask DisposeAsync() => throw new NotImplementedException();
}
