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
    public string? DagId => Execution?.DagId ?? _record!.DagId;

    /// <summary>The current (or final) status.</summary>
    public ExecutionStatus Status => Execution?.Status ?? ParseStatus(_record!.Status);

    /// <summary>When it was submitted.</summary>
    public DateTimeOffset SubmittedAt => Execution?.SubmittedAt ?? _record!.SubmittedAt;

    /// <summary>When it ended, if it has.</summary>
    public DateTimeOffset? CompletedAt => Execution is not null ? Execution.CompletedAt : _record!.CompletedAt;

    /// <summary>Nodes in the plan.</summary>
    public int TotalNodes => Execution?.GetProgress().TotalNodes ?? _record!.TotalNodes;

    /// <summary>
    /// Nodes actually done (computed or cached) over total, 0–100: a cancelled, failed or
    /// interrupted execution shows how far it got, not 100. An execution recorded as running by
    /// another process shows its last known progress: the results it has stored so far.
    /// </summary>
    public double Percent
    {
        get
        {
            if (Status == ExecutionStatus.Completed) return 100;
            int total, done;
            if (Execution is { } live)
            {
                var p = live.GetProgress();
                (total, done) = (p.TotalNodes, p.CompletedNodes);
            }
            else
            {
                (total, done) = (_record!.TotalNodes, DoneNodes);
            }

            return total <= 0 ? 0 : Math.Min(100, 100.0 * done / total);
        }
    }

    /// <summary>The number of goals: of the DAG (live executions) or of the goals named in the store's history (past ones).</summary>
    public int Goals => Execution?.GetGoalResults().Count ?? (_goals ??= CountGoals());

    /// <summary>Nodes done of a past execution: its record's counts, or for one still running elsewhere, the results stored so far.</summary>
    internal int DoneNodes => Status is ExecutionStatus.Running or ExecutionStatus.Pending
        ? (_stored ??= CountStored())
        : _record!.CompletedNodes + _record.CachedNodes;

    private int? _goals;
    private int? _stored;

    private int CountGoals() => ReadStore(async (store, ct) =>
    {
        var n = 0;
        await foreach (var name in store.ListExecutionNodesAsync(ExecutionId, ct).ConfigureAwait(false)) if (name.IsGoal) n++;
        return n;
    });

    private int CountStored() => ReadStore(async (store, ct) =>
    {
        var n = 0;
        await foreach (var _ in store.ListAsync(new ResultQuery(ExecutionId: ExecutionId), ct).ConfigureAwait(false)) n++;
        return n;
    });

    // Past executions read their store on demand (once per object), bounded by a short timeout
    // so a table never hangs on a busy store; -1 when the store cannot answer.
    private int ReadStore(Func<IResultStore, CancellationToken, Task<int>> read)
    {
        if (Store is not { } location) return -1;
        if (!StoreFactory.Exists(location.Backend, location.Path)) return -1; // reading creates no store
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            return Task.Run(async () =>
            {
                var store = await VoxEngineHost.GetStoreAsync(location, cts.Token).ConfigureAwait(false);
                return await read(store, cts.Token).ConfigureAwait(false);
            }).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is DynamicSchedulerException or IOException or OperationCanceledException or UnauthorizedAccessException)
        {
            return -1;
        }
    }

    /// <summary>Where the DAG came from (program path, "program text", "dag").</summary>
    public string? Source { get; }

    /// <summary>The store the results go to (null for memory-only executions).</summary>
    public StoreLocation? Store { get; }

    /// <summary>True when the execution runs (or ran) in this process.</summary>
    public bool IsLive => Execution is not null;

    /// <summary>
    /// Bytes allocated by the nodes the execution computed (the specification's memory_usage_bytes):
    /// so far for a live one, as recorded for a past one (null when its store recorded none, as
    /// stores made before it was kept).
    /// </summary>
    public long? AllocatedBytes => Execution is not null ? Execution.GetProgress().AllocatedBytes : _record!.MemoryUsageBytes;

    /// <summary>
    /// What went wrong (why it could not start or was interrupted, else its first node error), for a
    /// live execution as for a past one; null when nothing did.
    /// </summary>
    public string? Error => Execution is not null ? Execution.Error : _record!.Error;

    /// <summary>For an execution run on a cluster (followed from here or read from its store's history): the silo that coordinates or coordinated it (<c>address:port@generation</c>); null for a local run.</summary>
    public string? Coordinator => _record?.Coordinator ?? (Execution as Cluster.Client.RemoteExecution)?.Coordinator;

    /// <summary>True once the execution has ended.</summary>
    public bool IsFinished => Status.IsTerminal();

    /// <summary>Elapsed time (until now while running).</summary>
    public TimeSpan Duration => (CompletedAt ?? DateTimeOffset.UtcNow) - SubmittedAt;

    /// <inheritdoc />
    public override string ToString() => Name is null ? ExecutionId : $"{Name} ({ExecutionId})";

    private static ExecutionStatus ParseStatus(string text) =>
        Enum.TryParse<ExecutionStatus>(text, ignoreCase: true, out var status) ? status : ExecutionStatus.Pending;
}
