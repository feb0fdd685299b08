using System.Threading.Channels;
using VoxScheduler.Dag;
using VoxScheduler.Execution;
using VoxScheduler.Scheduling;
using VoxScheduler.Storage;
using VoxScheduler.Values;

namespace VoxScheduler.Cluster.Client;

/// <summary>
/// A cluster execution seen as an <see cref="IExecution"/>, so a front end (the module's cmdlets,
/// the REST server) shows, follows, waits for and cancels it as it does a local one: the progress
/// is polled from the coordinating silo, the goals come once it has ended (small values with the
/// result, others read from the shared store), and <see cref="WatchAsync"/> streams progress,
/// goal and finish events as a local execution does.
/// The coordinator reports goals, not each node: <see cref="GetNodeStatuses"/> knows only the
/// goals' nodes once the execution has ended (every other node is null, unknown).
/// If the coordinating silo is lost, or the client cannot reach it for
/// <see cref="LostAfter"/>, the execution ends here as <see cref="ExecutionStatus.Interrupted"/>
/// with the reason in each unfinished goal's error: submitting it again resumes from the store.
/// </summary>
public sealed class RemoteExecution : IExecution, IAsyncDisposable
{
    /// <summary>How often the progress is asked for (a local execution reports progress about as often).</summary>
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>How long the coordinator may stay unreachable before the execution counts as lost.</summary>
    public static readonly TimeSpan LostAfter = TimeSpan.FromSeconds(60);

    /// <summary>Goal values up to this size are read from the store into <see cref="GoalResult.Value"/>; larger bytes stay in the store (read them as a stream).</summary>
    public const long MaxValueRead = 64L * 1024 * 1024;

    // Progress events a slow watcher may have queued before newer ones are dropped for it (goal and finish events never are).
    private const int MaxQueuedProgress = 16;

    private readonly ClusterExecution _remote;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource<ExecutionStatus> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private readonly List<Channel<ExecutionEvent>> _watchers = [];
    private readonly Task _follow;
    private ExecutionProgress _progress;
    private IReadOnlyList<GoalResult>? _goals;
    private DateTimeOffset? _completedAt;

    /// <summary>Follows <paramref name="remote"/> from now on (until it ends or this object is disposed).</summary>
    /// <param name="remote">The execution the cluster started.</param>
    /// <param name="dag">The DAG that was submitted (its goals and labels; node ids as in the cluster).</param>
    /// <param name="config">The settings it was submitted with (shown, not applied: the coordinator applies them).</param>
    /// <param name="store">The shared store namespace its results go to, opened by this client (values of goals not carried by the result are read there); null: values only as carried.</param>
    /// <param name="name">Its name, if any.</param>
    /// <param name="pollInterval">How often progress is asked for (default <see cref="DefaultPollInterval"/>).</param>
    public RemoteExecution(ClusterExecution remote, DagDefinition dag, ExecutionConfig config, IResultStore? store, string? name, TimeSpan? pollInterval = null)
    {
        ArgumentNullException.ThrowIfNull(remote);
        ArgumentNullException.ThrowIfNull(dag);
        ArgumentNullException.ThrowIfNull(config);
        _remote = remote;
        Dag = dag;
        Config = config;
        Store = store;
        Name = name;
        SubmittedAt = DateTimeOffset.UtcNow;
        _progress = new ExecutionProgress { ExecutionId = remote.ExecutionId, DagId = remote.DagId, Status = ExecutionStatus.Running };
        var interval = pollInterval is { } p && p > TimeSpan.Zero ? p : DefaultPollInterval;
        _follow = Task.Run(() => FollowAsync(interval, _stop.Token));
    }

    /// <inheritdoc />
    public string ExecutionId => _remote.ExecutionId;

    /// <summary>The silo whose scheduler coordinates it.</summary>
    public string Coordinator => _remote.Coordinator;

    /// <inheritdoc />
    public string? Name { get; }

    /// <inheritdoc />
    public DagDefinition Dag { get; }

    /// <inheritdoc />
    public ExecutionConfig Config { get; }

    /// <inheritdoc />
    public IResultStore? Store { get; }

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
    public Task<ExecutionStatus> Completion => _completion.Task;

    /// <inheritdoc />
    public ExecutionProgress GetProgress() => Volatile.Read(ref _progress);

    /// <inheritdoc />
    public IReadOnlyList<GoalResult> GetGoalResults()
    {
        lock (_gate)
        {
            if (_goals is not null) return _goals;
        }

        return [.. Dag.Goals.Select((g, i) => new GoalResult { Name = g.Name, Kind = g.Kind, Ordinal = i, NodeId = Dag.Nodes[g.Node].Id, Status = NodeStatus.Pending, Path = g.Path })];
    }

    /// <inheritdoc />
    public IReadOnlyList<NodeStatus?> GetNodeStatuses()
    {
        var statuses = new NodeStatus?[Dag.Nodes.Count];
        lock (_gate)
        {
            if (_goals is null) return statuses;
            for (var i = 0; i < Dag.Goals.Count && i < _goals.Count; i++) statuses[Dag.Goals[i].Node] = _goals[i].Status;
        }

        return statuses;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ExecutionEvent> WatchAsync(bool replay = true, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateUnbounded<ExecutionEvent>(new UnboundedChannelOptions { SingleReader = true });
        lock (_gate)
        {
            if (_goals is not null)
            {
                // Ended: a watcher gets the end, with every goal when it asks for a replay.
                if (replay)
                {
                    foreach (var goal in _goals) channel.Writer.TryWrite(GoalEvent(goal));
                }

                channel.Writer.TryWrite(FinishEvent(_progress));
                channel.Writer.TryComplete();
            }
            else
            {
                _watchers.Add(channel);
            }
        }

        try
        {
            await foreach (var e in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return e;
            }
        }
        finally
        {
            lock (_gate) _watchers.Remove(channel);
        }
    }

    /// <inheritdoc />
    public void Cancel() => _ = CancelRemoteAsync();

    private async Task CancelRemoteAsync()
    {
        try
        {
            await _remote.CancelAsync(_stop.Token).WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // An unreachable coordinator cannot be asked; the follower reports the execution lost if it stays so.
        }
    }

    private async Task FollowAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        var wait = _remote.WaitAsync(cancellationToken);
        DateTimeOffset? unreachableSince = null;
        try
        {
            while (!wait.IsCompleted)
            {
                try
                {
                    Publish(await _remote.GetProgressAsync(cancellationToken).WaitAsync(LostAfter, cancellationToken).ConfigureAwait(false));
                    unreachableSince = null;
                }
                catch (Exception e) when (e is not OperationCanceledException && e is not SchedulingException)
                {
                    // A missed poll (the gateway reconnecting, a slow silo) is tried again; for too long, the execution is lost.
                    unreachableSince ??= DateTimeOffset.UtcNow;
                    if (DateTimeOffset.UtcNow - unreachableSince > LostAfter)
                    {
                        throw new SchedulingException($"The silo coordinating execution {ExecutionId} ({Coordinator}) has not answered for {LostAfter.TotalSeconds:0} s ({e.Message}); submit it again to resume: finished results are in the store.");
                    }
                }

                await Task.WhenAny(wait, Task.Delay(interval, cancellationToken)).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
            }

            var result = await wait.ConfigureAwait(false);
            Finish(result.Progress, await GoalsAsync(result, cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            EndHere("This client stopped following the execution before it ended (its connection was closed); it goes on on the cluster, and its results are in the store.");
        }
        catch (Exception e)
        {
            EndHere(e.Message);
        }
    }

    private void Publish(ExecutionProgress progress)
    {
        Volatile.Write(ref _progress, progress);
        var e = new ExecutionEvent { Kind = ExecutionEventKind.Progress, ExecutionId = ExecutionId, Progress = progress };
        lock (_gate)
        {
            foreach (var watcher in _watchers)
            {
                if (watcher.Reader.Count < MaxQueuedProgress) watcher.Writer.TryWrite(e);
            }
        }
    }

    // The coordinator's goals in the DAG's order, values read from the store when the result did not carry them.
    private async Task<IReadOnlyList<GoalResult>> GoalsAsync(ClusterExecutionResult result, CancellationToken cancellationToken)
    {
        var goals = new List<GoalResult>(result.Goals.Count);
        for (var i = 0; i < result.Goals.Count; i++)
        {
            var g = result.Goals[i];
            var value = g.Value;
            if (!g.HasValue && g.Succeeded && Store is { } store && g.DataType is not (DataType.LargeObject or DataType.Binary) && g.Size <= MaxValueRead)
            {
                var bytes = await store.RetrieveAsync(g.NodeId, cancellationToken).ConfigureAwait(false);
                value = bytes is null ? null : ValueCodec.Decode(bytes);
            }

            var path = i < Dag.Goals.Count && Dag.Goals[i].Name == g.Name ? Dag.Goals[i].Path : null;
            goals.Add(new GoalResult
            {
                Name = g.Name, Kind = g.Kind, Ordinal = i, NodeId = g.NodeId, Status = g.Status, Value = value, DataType = g.DataType, Size = g.Size,
                Error = g.Error, Duration = g.Duration, Path = path,
            });
        }

        return goals;
    }

    // Ends the execution here without the coordinator's word: unfinished goals are Interrupted, with why.
    private void EndHere(string why)
    {
        var last = Volatile.Read(ref _progress);
        var goals = GetGoalResults().Select(g => g.IsFinished ? g : g with { Status = NodeStatus.Interrupted, Error = why }).ToList();
        Finish(last with { Status = ExecutionStatus.Interrupted }, goals);
    }

    private void Finish(ExecutionProgress progress, IReadOnlyList<GoalResult> goals)
    {
        lock (_gate)
        {
            if (_goals is not null) return;
            Volatile.Write(ref _progress, progress);
            _goals = goals;
            _completedAt = DateTimeOffset.UtcNow;
            foreach (var watcher in _watchers)
            {
                foreach (var goal in goals) watcher.Writer.TryWrite(GoalEvent(goal));
                watcher.Writer.TryWrite(FinishEvent(progress));
                watcher.Writer.TryComplete();
            }

            _watchers.Clear();
        }

        _completion.TrySetResult(progress.Status);
    }

    private ExecutionEvent GoalEvent(GoalResult goal) =>
        new() { Kind = ExecutionEventKind.GoalFinished, ExecutionId = ExecutionId, NodeId = goal.NodeId, NodeStatus = goal.Status, Error = goal.Error, Goal = goal };

    private ExecutionEvent FinishEvent(ExecutionProgress progress) =>
        new() { Kind = ExecutionEventKind.ExecutionFinished, ExecutionId = ExecutionId, Progress = progress };

    /// <summary>Stops following (the execution goes on on the cluster); it ends here as Interrupted if it had not ended.</summary>
    public async ValueTask DisposeAsync()
    {
        // The token source is not disposed: a late Cancel() may still read its token.
        await _stop.CancelAsync().ConfigureAwait(false);
        await _follow.ConfigureAwait(false);
    }
}
