using Microsoft.Extensions.Logging;
using VoxScheduler.Cluster.Grains;
using VoxScheduler.Dag;
using VoxScheduler.Execution;
using VoxScheduler.Scheduling;
using VoxScheduler.Storage;
using VoxScheduler.Values;

namespace VoxScheduler.Cluster.Client;

/// <summary>
/// A cluster execution seen as an <see cref="IExecution"/>, so a front end (the module's cmdlets,
/// the REST server) shows, follows, waits for and cancels it as it does a local one. The scheduler
/// runs inside a silo; this side asks its coordinator for news in batches (progress, each goal as
/// it finishes, node events while someone watches), at most every <see cref="RemoteExecutionOptions.PollInterval"/>
/// when nothing is happening. Goal values are read from the shared store, never carried by the
/// cluster's messages; node states (<see cref="GetNodeStatuses"/>) are asked of the coordinator.
/// If the coordinating silo is lost, or does not answer for <see cref="RemoteExecutionOptions.LostAfter"/>,
/// the execution ends here as <see cref="ExecutionStatus.Interrupted"/> with the reason in each
/// unfinished goal's error: submitting it again resumes from the store.
/// </summary>
public sealed partial class RemoteExecution : IExecution, IAsyncDisposable
{
    /// <summary>Longest a call to the coordinator may take beyond its own wait.</summary>
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(15);

    private readonly ClusterExecution _remote;
    private readonly RemoteExecutionOptions _options;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource<ExecutionStatus> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private readonly GoalResult[] _goals;
    private readonly Task _follow;
    private DagDefinition? _dag;
    private RetainedDag? _retainedDag;
    private ExecutionProgress _progress;
    private bool _finished;
    private DateTimeOffset? _completedAt;
    private string? _error; // the coordinator's word on what went wrong, once ended (guarded by _gate)
    private int _cancelling;

    /// <summary>Follows <paramref name="remote"/> from now on (until it ends or this object is disposed).</summary>
    /// <param name="remote">The execution the cluster started.</param>
    /// <param name="dag">The DAG that was submitted (its goals and labels; node ids and order as in the cluster).</param>
    /// <param name="config">The settings it was submitted with (shown, not applied: the coordinator applies them).</param>
    /// <param name="name">Its name, if any.</param>
    /// <param name="options">Where results are read and how it is followed; null: the defaults, no store.</param>
    public RemoteExecution(ClusterExecution remote, DagDefinition dag, ExecutionConfig config, string? name, RemoteExecutionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(remote);
        ArgumentNullException.ThrowIfNull(dag);
        ArgumentNullException.ThrowIfNull(config);
        _remote = remote;
        _options = options ?? new RemoteExecutionOptions();
        _dag = dag;
        Config = config;
        Name = name;
        SubmittedAt = DateTimeOffset.UtcNow;
        // Unfinished goals read as a local execution's do: pending, with their paths.
        _goals = [.. dag.Goals.Select((g, i) => new GoalResult { Name = g.Name, Kind = g.Kind, Ordinal = i, NodeId = dag.Nodes[g.Node].Id, Status = NodeStatus.Pending, Path = g.Path })];
        _progress = new ExecutionProgress
        {
            ExecutionId = remote.ExecutionId, DagId = remote.DagId, Status = ExecutionStatus.Running, TotalNodes = dag.Nodes.Count, PendingNodes = dag.Nodes.Count,
        };
        _follow = Task.Run(() => FollowAsync(_stop.Token));
    }

    /// <inheritdoc />
    public string ExecutionId => _remote.ExecutionId;

    /// <summary>The silo whose scheduler coordinates it.</summary>
    public string Coordinator => _remote.Coordinator;

    /// <inheritdoc />
    public string? Name { get; }

    /// <summary>
    /// The DAG; once the execution has ended, rebuilt on demand from the compact copy it keeps then
    /// (<see cref="RetainedDag"/>, a few bytes a node) and held only weakly, as a finished local
    /// execution does: a server keeping many finished cluster runs does not keep their DAGs.
    /// </summary>
    public DagDefinition Dag => Volatile.Read(ref _dag) ?? Volatile.Read(ref _retainedDag)!.Dag;

    /// <summary>Bytes this object keeps of the DAG: the compact copy once ended, an estimate of the whole DAG before.</summary>
    public long RetainedDagBytes => Volatile.Read(ref _retainedDag)?.Bytes ?? (long)(Volatile.Read(ref _dag)?.Nodes.Count ?? 0) * DynamicScheduler.RetainedBytesPerNode;

    /// <inheritdoc />
    public string DagId => _remote.DagId;

    /// <inheritdoc />
    public ExecutionConfig Config { get; }

    /// <inheritdoc />
    public IResultStore? Store => _options.Store;

    /// <inheritdoc />
    public ExecutionStatus Status => Volatile.Read(ref _progress).Status;

    /// <inheritdoc />
    public DateTimeOffset SubmittedAt { get; }

    /// <inheritdoc />
    public DateTimeOffset? CompletedAt
    {
        get
        {
            lock (_gate) return _completedAt;
        }
    }

    /// <inheritdoc />
    public string? Error
    {
        get
        {
            lock (_gate) return _error;
        }
    }

    /// <inheritdoc />
    public Task<ExecutionStatus> Completion => _completion.Task;

    /// <inheritdoc />
    public ExecutionProgress GetProgress() => Volatile.Read(ref _progress);

    /// <inheritdoc />
    public IReadOnlyList<GoalResult> GetGoalResults()
    {
        lock (_gate) return [.. _goals];
    }

    /// <inheritdoc />
    public void Cancel()
    {
        if (_completion.Task.IsCompleted || Interlocked.Exchange(ref _cancelling, 1) != 0) return;
        var call = CancelRemoteAsync();
        _options.TrackCall?.Invoke(call);
    }

    private async Task CancelRemoteAsync()
    {
        try
        {
            await _remote.CancelAsync(CancellationToken.None).WaitAsync(CallTimeout).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // An unreachable coordinator cannot be asked; the follower reports the execution lost if it stays so. A later Cancel tries again.
            _options.Logger?.LogWarning("Cancelling cluster execution {ExecutionId} did not reach the cluster: {Reason}", ExecutionId, e.Message);
            Volatile.Write(ref _cancelling, 0);
        }
    }

    private async Task FollowAsync(CancellationToken stop)
    {
        var interval = _options.PollInterval > TimeSpan.Zero ? _options.PollInterval : TimeSpan.FromMilliseconds(250);
        long nodeCursor = 0;
        var goalCursor = 0;
        DateTimeOffset? failingSince = null;
        try
        {
            while (true)
            {
                ExecutionUpdate update;
                try
                {
                    update = await _remote.PollAsync(nodeCursor, goalCursor, WantsNodeEvents, interval, stop).WaitAsync(interval + CallTimeout, stop).ConfigureAwait(false);
                    failingSince = null;
                }
                catch (SchedulingException e)
                {
                    EndHere(e.Message);
                    return;
                }
                catch (Exception e) when (e is not OperationCanceledException || !stop.IsCancellationRequested)
                {
                    // A missed call (a gateway reconnecting, a slow silo) is tried again; for too long, the execution is lost.
                    failingSince ??= DateTimeOffset.UtcNow;
                    if (DateTimeOffset.UtcNow - failingSince > _options.LostAfter)
                    {
                        EndHere($"The silo coordinating execution {ExecutionId} ({Coordinator}) has not answered for {_options.LostAfter.TotalSeconds:0} s ({e.GetType().Name}: {e.Message}); submit it again to resume: finished results are in the store.");
                        return;
                    }

                    await Task.Delay(interval, stop).ConfigureAwait(false);
                    continue;
                }

                nodeCursor = update.NodeCursor;
                goalCursor = update.GoalCursor;
                foreach (var goal in update.Goals) PublishGoal(await GoalAsync(goal, stop).ConfigureAwait(false));
                PublishNodes(update.Nodes);
                if (update.Snapshot.Goals is { } final)
                {
                    await FinishAsync(update.Snapshot, final, stop).ConfigureAwait(false);
                    return;
                }

                PublishProgress(ClusterExecution.ToProgress(update.Snapshot));
                if (update.More) continue;
                // News came: let the next batch gather for a moment (no news: the coordinator already waited).
                if (update.Goals.Length > 0 || update.Nodes.Length > 0) await Task.Delay(interval, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            EndHere($"{_options.Follower} stopped following the execution before it ended; it goes on on the cluster, and its results are in the store.");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Never leave it without an end: waiters and a server's run slot depend on it.
            _options.Logger?.LogError(e, "Following cluster execution {ExecutionId} failed", ExecutionId);
            EndHere($"Following execution {ExecutionId} failed ({e.GetType().Name}: {e.Message}).");
        }
    }

    /// <summary>A goal as the coordinator reported it, with its value: carried (small, final only) or read from the store within the bound.</summary>
    private async Task<GoalResult> GoalAsync(GoalSnapshot g, CancellationToken cancellationToken)
    {
        var status = (NodeStatus)g.Status;
        var dataType = (DataType)g.DataType;
        object? value = null;
        if (status is NodeStatus.Completed or NodeStatus.Cached)
        {
            if (g.Value is { } carried) value = ValueCodec.Decode(carried);
            // Large objects are never decoded for an answer (locally neither): they are streamed from the store.
            else if (dataType != DataType.LargeObject && g.Size <= _options.MaxValueBytes && await ReadAsync(NodeId.Parse(g.NodeId), cancellationToken).ConfigureAwait(false) is { } bytes)
            {
                value = ValueCodec.Decode(bytes);
            }
        }

        var ordinal = g.Ordinal >= 0 && g.Ordinal < Dag.Goals.Count && Dag.Goals[g.Ordinal].Name == g.Name ? g.Ordinal : -1;
        return new GoalResult
        {
            Name = g.Name, Kind = (GoalKind)g.Kind, Ordinal = ordinal < 0 ? g.Ordinal : ordinal, NodeId = NodeId.Parse(g.NodeId), Status = status, Value = value,
            DataType = dataType, Size = g.Size, Error = g.Error, Duration = TimeSpan.FromTicks(g.DurationTicks), Path = ordinal < 0 ? null : Dag.Goals[ordinal].Path,
        };
    }

    private Task<byte[]?> ReadAsync(NodeId id, CancellationToken cancellationToken)
    {
        if (_options.ReadResult is { } read) return read(id, cancellationToken);
        return _options.Store is { } store ? store.RetrieveAsync(id, cancellationToken).AsTask() : Task.FromResult<byte[]?>(null);
    }

    private void PublishProgress(ExecutionProgress progress)
    {
        // The end is reported with the goals (FinishAsync); a terminal count before that stays "running" here.
        if (progress.Status.IsTerminal()) progress = progress with { Status = ExecutionStatus.Running };
        lock (_gate)
        {
            if (_finished) return;
            Volatile.Write(ref _progress, progress);
        }

        PublishDroppable(new ExecutionEvent { Kind = ExecutionEventKind.Progress, ExecutionId = ExecutionId, Progress = progress });
    }

    /// <summary>The end, as the coordinator reports it: the final goals (announced now if no event did), node states, then the finish event.</summary>
    private async Task FinishAsync(ExecutionSnapshot snapshot, GoalSnapshot[] final, CancellationToken cancellationToken)
    {
        var goals = new GoalResult[final.Length];
        for (var i = 0; i < final.Length; i++)
        {
            GoalResult? known;
            lock (_gate) known = final[i].Ordinal < _goals.Length && _goals[final[i].Ordinal].IsFinished ? _goals[final[i].Ordinal] : null;
            goals[i] = known is not null && known.Status == (NodeStatus)final[i].Status && (known.Value is not null || final[i].Value is null)
                ? known
                : await GoalAsync(final[i], cancellationToken).ConfigureAwait(false);
        }

        await FetchNodeStatusesAsync(cancellationToken).ConfigureAwait(false);
        Finish(ClusterExecution.ToProgress(snapshot), goals, snapshot.Error);
    }

    // Ends the execution here without the coordinator's word: unfinished goals are Interrupted, with why.
    private void EndHere(string why)
    {
        _options.Logger?.LogWarning("Cluster execution {ExecutionId} is reported interrupted: {Reason}", ExecutionId, why);
        var goals = GetGoalResults().Select(g => g.IsFinished ? g : g with { Status = NodeStatus.Interrupted, Error = why }).ToArray();
        Finish(Volatile.Read(ref _progress) with { Status = ExecutionStatus.Interrupted }, goals, why);
    }

    /// <summary>Stops following (the execution goes on on the cluster); it ends here as Interrupted if it had not ended. Does not wait.</summary>
    public void StopFollowing()
    {
        // The token source is not disposed: a late Cancel() or stop may still read it.
        if (!_completion.Task.IsCompleted) _stop.Cancel();
    }

    /// <summary>Stops following (the execution goes on on the cluster); it ends here as Interrupted if it had not ended.</summary>
    public async ValueTask DisposeAsync()
    {
        StopFollowing();
        await _follow.ConfigureAwait(false);
    }
}
