using System.Runtime.CompilerServices;
using VoxScheduler.Cluster.Client;
using VoxScheduler.Dag;
using VoxScheduler.Execution;
using VoxScheduler.Scheduling;
using VoxScheduler.Storage;
using VoxScheduler.Values;

namespace VoxScheduler.Server;

/// <summary>
/// An execution this server submitted to the cluster, seen through <see cref="IExecution"/> so the
/// routes serve it as they serve a local one. The scheduler runs inside a silo; this side follows
/// it: a wait for its end (a long call the coordinator answers when it ends) and a progress check
/// every <see cref="ProgressInterval"/> that feeds <c>progress</c> events. Once it has ended, the
/// goals come with their values: small ones with the answer, larger ones read from the shared
/// store (up to the server's inline bound; above it the content route streams them from there).
/// </summary>
internal sealed class ClusterRunExecution : IExecution
{
    /// <summary>How often progress is asked for while the execution runs (the cluster does not push it to a client).</summary>
    public static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);

    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(15);

    private readonly ClusterExecution _remote;
    private readonly ClusterConnection _connection;
    private readonly Func<NodeId, CancellationToken, Task<object?>> _readValue;
    private readonly long _maxLoadedBytes;
    private readonly TimeSpan _lostAfter;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource<ExecutionStatus> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ExecutionProgress _progress;
    private IReadOnlyList<GoalResult>? _goals;
    private int _cancelled;

    /// <param name="remote">The cluster's handle on the execution.</param>
    /// <param name="dag">The DAG this server compiled and submitted (its goals name the results).</param>
    /// <param name="config">The execution's config as the server built it (backend postgres, the namespace as path).</param>
    /// <param name="readValue">Reads a result's value from the shared store (null when it is not there).</param>
    /// <param name="maxLoadedBytes">Largest result read into memory for the answer; larger ones are only streamed.</param>
    public ClusterRunExecution(ClusterExecution remote, ClusterConnection connection, DagDefinition dag, ExecutionConfig config, string? name,
        Func<NodeId, CancellationToken, Task<object?>> readValue, long maxLoadedBytes, TimeSpan lostAfter, ILogger logger)
    {
        _remote = remote;
        _connection = connection;
        _readValue = readValue;
        _maxLoadedBytes = maxLoadedBytes;
        _lostAfter = lostAfter;
        _logger = logger;
        Dag = dag;
        Config = config;
        Name = name;
        _progress = new ExecutionProgress
        {
            ExecutionId = remote.ExecutionId, DagId = remote.DagId, Status = ExecutionStatus.Running, TotalNodes = dag.Nodes.Count,
            PendingNodes = dag.Nodes.Count,
        };
        _ = Task.Run(FollowAsync);
    }

    public string ExecutionId => _remote.ExecutionId;

    public string? Name { get; }

    public DagDefinition Dag { get; }

    public ExecutionConfig Config { get; }

    /// <summary>Null: the results are in the shared store, which the server leases by backend and namespace.</summary>
    public IResultStore? Store => null;

    public ExecutionStatus Status => Volatile.Read(ref _progress).Status;

    public DateTimeOffset SubmittedAt { get; } = DateTimeOffset.UtcNow;

    public DateTimeOffset? CompletedAt { get; private set; }

    public Task<ExecutionStatus> Completion => _completion.Task;

    /// <summary>The silo coordinating the execution.</summary>
    public string Coordinator => _remote.Coordinator;

    public ExecutionProgress GetProgress() => Volatile.Read(ref _progress);

    public IReadOnlyList<GoalResult> GetGoalResults()
    {
        if (Volatile.Read(ref _goals) is { } goals) return goals;
        var running = Status == ExecutionStatus.Running;
        return [.. Dag.Goals.Select((g, i) => new GoalResult
        {
            Name = g.Name, Kind = g.Kind, Ordinal = i, NodeId = Dag.Nodes[g.Node].Id,
            Status = running ? NodeStatus.Running : NodeStatus.Pending, Path = g.Path,
        })];
    }

    /// <summary>Node states live on the coordinating silo; this side knows the counts only (<see cref="GetProgress"/>).</summary>
    public IReadOnlyList<NodeStatus?> GetNodeStatuses() => [];

    public async IAsyncEnumerable<ExecutionEvent> WatchAsync(bool replay = true, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ExecutionProgress? sent = null;
        while (true)
        {
            Task changed;
            lock (_gate) changed = _changed.Task;
            if (Volatile.Read(ref _goals) is { } goals)
            {
                // Ended: every goal (a late subscriber included, as with replay locally), then the end.
                foreach (var goal in goals)
                {
                    yield return new ExecutionEvent { Kind = ExecutionEventKind.GoalFinished, ExecutionId = ExecutionId, NodeId = goal.NodeId, Goal = goal };
                }

                yield return new ExecutionEvent { Kind = ExecutionEventKind.ExecutionFinished, ExecutionId = ExecutionId, Progress = GetProgress() };
                yield break;
            }

            var progress = GetProgress();
            if (!ReferenceEquals(progress, sent))
            {
                sent = progress;
                yield return new ExecutionEvent { Kind = ExecutionEventKind.Progress, ExecutionId = ExecutionId, Progress = progress };
            }

            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Sends the cancellation to the coordinating silo (nodes on workers see their token cancelled there).</summary>
    public void Cancel()
    {
        if (_completion.Task.IsCompleted || Interlocked.Exchange(ref _cancelled, 1) != 0) return;
        var call = CancelRemoteAsync();
        _connection.Track(call);
    }

    private async Task CancelRemoteAsync()
    {
        try
        {
            await _remote.CancelAsync(CancellationToken.None).WaitAsync(CallTimeout).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The follower reports the end either way (cancelled, or lost when the cluster is gone).
            _logger.LogWarning("Cancelling cluster execution {ExecutionId} did not reach the cluster: {Reason}", ExecutionId, e.Message);
            Interlocked.Exchange(ref _cancelled, 0);
        }
    }

    /// <summary>Stops following (the server stops); the execution ends as interrupted here if it has not ended yet.</summary>
    public void StopFollowing()
    {
        // Not disposed anywhere (it has no timer), so a late stop after the end is harmless.
        if (!_completion.Task.IsCompleted) _stop.Cancel();
    }

    private async Task FollowAsync()
    {
        var stop = _stop.Token;
        var end = _remote.WaitAsync(stop);
        DateTimeOffset? failingSince = null;
        try
        {
            while (!end.IsCompleted)
            {
                // The end arrives through the wait; progress in between through a periodic check.
                await Task.WhenAny(end, Task.Delay(ProgressInterval, stop)).ConfigureAwait(false);
                if (end.IsCompleted || stop.IsCancellationRequested) break;
                try
                {
                    Publish(await _remote.GetProgressAsync(stop).WaitAsync(CallTimeout, stop).ConfigureAwait(false));
                    failingSince = null;
                }
                catch (SchedulingException)
                {
                    break; // the coordinator is gone: the wait reports it
                }
                catch (Exception e) when (e is not OperationCanceledException || !stop.IsCancellationRequested)
                {
                    // The cluster does not answer now (a gateway restarting, a timeout): keep asking, up to the bound.
                    failingSince ??= DateTimeOffset.UtcNow;
                    if (DateTimeOffset.UtcNow - failingSince > _lostAfter)
                    {
                        await FinishLostAsync($"the cluster did not answer for {_lostAfter.TotalSeconds:0} s ({e.GetType().Name}: {e.Message})").ConfigureAwait(false);
                        return;
                    }
                }
            }

            if (stop.IsCancellationRequested && !end.IsCompleted)
            {
                await FinishLostAsync("the server stopped following it (the execution may go on in the cluster; its results are in the store)").ConfigureAwait(false);
                return;
            }

            ClusterExecutionResult result;
            try
            {
                result = await end.ConfigureAwait(false);
            }
            catch (SchedulingException e)
            {
                await FinishLostAsync(e.Message).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException || !stop.IsCancellationRequested)
            {
                await FinishLostAsync($"waiting for its end failed ({e.GetType().Name}: {e.Message})").ConfigureAwait(false);
                return;
            }

            var goals = await GoalsAsync(result, stop).ConfigureAwait(false);
            Finish(result.Progress, goals);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            await FinishLostAsync("the server stopped following it").ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Never leave a run without an end: its slot and its waiters depend on it.
            _logger.LogError(e, "Following cluster execution {ExecutionId} failed", ExecutionId);
            await FinishLostAsync($"following it failed ({e.GetType().Name}: {e.Message})").ConfigureAwait(false);
        }
    }

    /// <summary>The goals of the ended execution in source order, each with its value where the answer or the store has it.</summary>
    private async Task<IReadOnlyList<GoalResult>> GoalsAsync(ClusterExecutionResult result, CancellationToken cancellationToken)
    {
        var goals = new List<GoalResult>(result.Goals.Count);
        for (var i = 0; i < result.Goals.Count; i++)
        {
            var g = result.Goals[i];
            object? value = null;
            if (g.Succeeded)
            {
                if (g.HasValue) value = g.Value;
                // Large objects are never decoded for an answer (locally neither): the content route streams them.
                else if (g.DataType != DataType.LargeObject && g.Size <= _maxLoadedBytes) value = await _readValue(g.NodeId, cancellationToken).ConfigureAwait(false);
            }

            goals.Add(new GoalResult
            {
                Name = g.Name, Kind = g.Kind, Ordinal = i, NodeId = g.NodeId, Status = g.Status, Value = value, DataType = g.DataType, Size = g.Size,
                Error = g.Error, Duration = g.Duration, Path = i < Dag.Goals.Count ? Dag.Goals[i].Path : null,
            });
        }

        return goals;
    }

    private Task FinishLostAsync(string reason)
    {
        _logger.LogWarning("Cluster execution {ExecutionId} is reported interrupted: {Reason}", ExecutionId, reason);
        var last = GetProgress();
        var message = $"The cluster execution was interrupted: {reason}.";
        var goals = Dag.Goals.Select((g, i) => new GoalResult
        {
            Name = g.Name, Kind = g.Kind, Ordinal = i, NodeId = Dag.Nodes[g.Node].Id, Status = NodeStatus.Interrupted, Error = message, Path = g.Path,
        }).ToList();
        Finish(last with { Status = ExecutionStatus.Interrupted }, goals);
        return Task.CompletedTask;
    }

    private void Publish(ExecutionProgress progress)
    {
        if (_completion.Task.IsCompleted) return;
        // The end is reported by Finish, with the goals; a terminal count before that stays "running" here.
        if (progress.Status.IsTerminal()) progress = progress with { Status = ExecutionStatus.Running };
        Volatile.Write(ref _progress, WithComputed(progress));
        Signal();
    }

    private void Finish(ExecutionProgress progress, IReadOnlyList<GoalResult> goals)
    {
        if (_completion.Task.IsCompleted) return;
        CompletedAt = DateTimeOffset.UtcNow;
        Volatile.Write(ref _goals, goals);
        Volatile.Write(ref _progress, WithComputed(progress));
        Signal();
        _completion.TrySetResult(progress.Status);
    }

    /// <summary>The cluster's counts carry completed (computed or served from the store) and cached; computed is their difference.</summary>
    private static ExecutionProgress WithComputed(ExecutionProgress p) =>
        p.ComputedNodes == 0 && p.CompletedNodes > p.CachedNodes ? p with { ComputedNodes = p.CompletedNodes - p.CachedNodes } : p;

    private void Signal()
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }
}
