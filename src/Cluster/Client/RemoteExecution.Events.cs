using System.Runtime.CompilerServices;
using System.Threading.Channels;
using VoxScheduler.Cluster.Grains;
using VoxScheduler.Dag;
using VoxScheduler.Execution;
using VoxScheduler.Scheduling;

namespace VoxScheduler.Cluster.Client;

/// <summary>The watchers of a <see cref="RemoteExecution"/>: goal and finish events for every one, node and progress events coalesced for a slow one, and node states.</summary>
public sealed partial class RemoteExecution
{
    /// <summary>Node and progress events a watcher may have unread before newer ones are dropped for it (as a local execution's event hub does).</summary>
    public const int MaxQueuedDroppable = 4096;

    private readonly List<Watcher> _watchers = [];
    private readonly List<ExecutionEvent> _goalEvents = [];
    private ExecutionEvent? _finishEvent;
    private int _watching;
    private byte[]? _nodeStatuses;
    private DateTimeOffset _nodeStatusesAt;

    // Node events are asked of the coordinator only while someone watches (nobody reads them otherwise).
    private bool WantsNodeEvents => Volatile.Read(ref _watching) > 0;

    /// <inheritdoc />
    public async IAsyncEnumerable<ExecutionEvent> WatchAsync(bool replay = true, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var watcher = new Watcher();
        lock (_gate)
        {
            if (replay)
            {
                foreach (var e in _goalEvents) watcher.Write(e);
            }

            if (_finishEvent is { } finished)
            {
                watcher.Write(finished);
                watcher.Complete();
            }
            else
            {
                _watchers.Add(watcher);
                Interlocked.Increment(ref _watching);
            }
        }

        try
        {
            var reader = watcher.Reader;
            while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (reader.TryRead(out var e))
                {
                    watcher.OnRead(e);
                    yield return e;
                }
            }
        }
        finally
        {
            lock (_gate)
            {
                if (_watchers.Remove(watcher)) Interlocked.Decrement(ref _watching);
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>Asked of the coordinator (one byte per node) at most every poll interval while it runs, once at the end; the goals' states when it cannot say.</remarks>
    public IReadOnlyList<NodeStatus?> GetNodeStatuses()
    {
        byte[]? bytes;
        bool fresh;
        lock (_gate)
        {
            bytes = _nodeStatuses;
            fresh = _finished || DateTimeOffset.UtcNow - _nodeStatusesAt < _options.PollInterval;
        }

        if (!fresh)
        {
            try
            {
                bytes = FetchNodeStatusesAsync(CancellationToken.None).WaitAsync(CallTimeout).GetAwaiter().GetResult() ?? bytes;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The coordinator does not answer now: the last known states.
            }
        }

        var statuses = new NodeStatus?[Dag.Nodes.Count];
        if (bytes is not null && bytes.Length == statuses.Length)
        {
            for (var i = 0; i < bytes.Length; i++) statuses[i] = bytes[i] == 0 ? null : (NodeStatus)(bytes[i] - 1);
            return statuses;
        }

        lock (_gate)
        {
            for (var i = 0; i < Dag.Goals.Count; i++)
            {
                if (_goals[i].IsFinished) statuses[Dag.Goals[i].Node] = _goals[i].Status;
            }
        }

        return statuses;
    }

    private async Task<byte[]?> FetchNodeStatusesAsync(CancellationToken cancellationToken)
    {
        byte[]? bytes;
        try
        {
            bytes = await _remote.GetNodeStatusesAsync(cancellationToken).WaitAsync(CallTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException && !cancellationToken.IsCancellationRequested)
        {
            return null; // unreachable now: the caller keeps what it knew
        }

        if (bytes is null) return null;
        lock (_gate)
        {
            _nodeStatuses = bytes;
            _nodeStatusesAt = DateTimeOffset.UtcNow;
        }

        return bytes;
    }

    private void PublishGoal(GoalResult goal)
    {
        lock (_gate)
        {
            if (_finished || goal.Ordinal < 0 || goal.Ordinal >= _goals.Length) return;
            _goals[goal.Ordinal] = goal;
            AnnounceLocked(goal);
        }
    }

    private void AnnounceLocked(GoalResult goal)
    {
        var e = new ExecutionEvent
        {
            Kind = ExecutionEventKind.GoalFinished, ExecutionId = ExecutionId, NodeId = goal.NodeId, NodeStatus = goal.Status, Error = goal.Error,
            Duration = goal.Duration, Goal = goal,
        };
        _goalEvents.Add(e);
        foreach (var watcher in _watchers) watcher.Write(e);
    }

    private void PublishNodes(NodeEventWire[] nodes)
    {
        if (nodes.Length == 0 || !WantsNodeEvents) return;
        foreach (var n in nodes)
        {
            PublishDroppable(new ExecutionEvent
            {
                Kind = n.Retrying ? ExecutionEventKind.NodeRetrying : ExecutionEventKind.NodeFinished, ExecutionId = ExecutionId,
                NodeId = NodeId.FromBytes(n.NodeId), Operator = n.Operator, NodeStatus = (NodeStatus)n.Status, Error = n.Error,
                Duration = TimeSpan.FromTicks(n.DurationTicks), AllocatedBytes = n.AllocatedBytes, Attempt = n.Attempt,
                At = new DateTimeOffset(n.AtTicks, TimeSpan.Zero),
            });
        }
    }

    private void PublishDroppable(ExecutionEvent e)
    {
        lock (_gate)
        {
            if (_finished) return;
            foreach (var watcher in _watchers) watcher.TryWriteDroppable(e);
        }
    }

    /// <summary>Ends the execution here: goals no event announced yet are announced, then the finish event ends every watch.</summary>
    private void Finish(ExecutionProgress progress, IReadOnlyList<GoalResult> goals, string? error)
    {
        lock (_gate)
        {
            if (_finished) return;
            _error = error;
            for (var i = 0; i < goals.Count && i < _goals.Length; i++)
            {
                var before = _goals[i];
                _goals[i] = goals[i];
                if (!before.IsFinished || before.Status != goals[i].Status) AnnounceLocked(goals[i]);
            }

            _finished = true;
            Volatile.Write(ref _progress, progress);
            _completedAt = DateTimeOffset.UtcNow;
            _finishEvent = new ExecutionEvent { Kind = ExecutionEventKind.ExecutionFinished, ExecutionId = ExecutionId, Progress = progress, Error = error };
            foreach (var watcher in _watchers)
            {
                watcher.Write(_finishEvent);
                watcher.Complete();
            }

            _watchers.Clear();
            Volatile.Write(ref _watching, 0);
        }

        // Nothing reads the whole DAG any more but callers asking for it: keep the compact copy (first, so a reader always finds one of the two).
        if (Volatile.Read(ref _dag) is { } dag)
        {
            Volatile.Write(ref _retainedDag, RetainedDag.Encode(dag));
            Volatile.Write(ref _dag, null);
        }

        _completion.TrySetResult(progress.Status);
    }

    /// <summary>One watcher's queue: goal and finish events always, node and progress events while fewer than <see cref="MaxQueuedDroppable"/> are unread.</summary>
    private sealed class Watcher
    {
        private readonly Channel<ExecutionEvent> _channel = Channel.CreateUnbounded<ExecutionEvent>(new UnboundedChannelOptions { SingleReader = true });
        private int _droppable;

        public ChannelReader<ExecutionEvent> Reader => _channel.Reader;

        public void Write(ExecutionEvent e) => _channel.Writer.TryWrite(e);

        public void TryWriteDroppable(ExecutionEvent e)
        {
            if (Interlocked.Increment(ref _droppable) > MaxQueuedDroppable || !_channel.Writer.TryWrite(e)) Interlocked.Decrement(ref _droppable);
        }

        public void Complete() => _channel.Writer.TryComplete();

        public void OnRead(ExecutionEvent e)
        {
            if (e.Kind is ExecutionEventKind.NodeFinished or ExecutionEventKind.NodeRetrying or ExecutionEventKind.Progress) Interlocked.Decrement(ref _droppable);
        }
    }
}
