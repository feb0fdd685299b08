using VoxScheduler.Cmdlets.Hosting;
using VoxScheduler.Scheduling;
using VoxScheduler.Storage;

namespace VoxScheduler.Cmdlets.Output;

/// <summary>
/// An execution: a live one of this process (its properties follow it as it runs) or a past
/// one read from a store's history.
/// </summary>
public sealed class VoxExecution
{
    private readonly ExecutionRecord? _record;

    internal VoxExecution(IExecution execution, StoreLocation? store, string? source)
    {
        Execution = execution;
        Store = store;
        Source = source;
    }

    internal VoxExecution(ExecutionRecord record, StoreLocation store)
    {
        _record = record;
        Store = store;
        Source = record.Source;
    }

    /// <summary>The history record, for past executions.</summary>
    internal ExecutionRecord? Record => _record;

    /// <summary>The engine's handle, for executions of this process.</summary>
    internal IExecution? Execution { get; }

    /// <summary>The execution's id.</summary>
    public string ExecutionId => Execution?.ExecutionId ?? _record!.ExecutionId;

    /// <summary>The user-given name, if any.</summary>
    public string? Name => Execution is not null ? Execution.Name : _record!.Name;

    /// <summary>The DAG's id.</summary>
    public string? DagId => Execution?.Dag.DagId ?? _record!.DagId;

    /// <summary>The current (or final) status.</summary>
    public ExecutionStatus Status => Execution?.Status ?? ParseStatus(_record!.Status);

    /// <summary>When it was submitted.</summary>
    public DateTimeOffset SubmittedAt => Execution?.SubmittedAt ?? _record!.SubmittedAt;

    /// <summary>When it ended, if it has.</summary>
    public DateTimeOffset? CompletedAt => Execution is not null ? Execution.CompletedAt : _record!.CompletedAt;

    /// <summary>Nodes in the plan.</summary>
    public int TotalNodes => Execution?.GetProgress().TotalNodes ?? _record!.TotalNodes;

    /// <summary>Finished nodes over total, 0–100.</summary>
    public double Percent => Execution?.GetProgress().ProgressPercentage ?? (Status is ExecutionStatus.Completed or ExecutionStatus.Failed or ExecutionStatus.Cancelled ? 100 : 0);

    /// <summary>The number of goals (live executions), or of goals recorded (past ones: -1 when unknown).</summary>
    public int Goals => Execution?.Dag.Goals.Count ?? -1;

    /// <summary>Where the DAG came from (program path, "program text", "dag").</summary>
    public string? Source { get; }

    /// <summary>The store the results go to (null for memory-only executions).</summary>
    public StoreLocation? Store { get; }

    /// <summary>True when the execution runs (or ran) in this process.</summary>
    public bool IsLive => Execution is not null;

    /// <summary>The first error of a failed past execution.</summary>
    public string? Error => _record?.Error;

    /// <summary>True once the execution has ended.</summary>
    public bool IsFinished => Status is ExecutionStatus.Completed or ExecutionStatus.Failed or ExecutionStatus.Cancelled or ExecutionStatus.Interrupted;

    /// <summary>Elapsed time (until now while running).</summary>
    public TimeSpan Duration => (CompletedAt ?? DateTimeOffset.UtcNow) - SubmittedAt;

    /// <inheritdoc />
    public override string ToString() => Name is null ? ExecutionId : $"{Name} ({ExecutionId})";

    private static ExecutionStatus ParseStatus(string text) =>
        Enum.TryParse<ExecutionStatus>(text, ignoreCase: true, out var status) ? status : ExecutionStatus.Pending;
}
