using VoxScheduler.Cluster.Grains;
using VoxScheduler.Scheduling;

namespace VoxScheduler.Cluster.Coordinator;

/// <summary>
/// The events of one cluster execution, kept on its coordinating silo for the clients that follow
/// it (they ask in batches: <see cref="IExecutionGrain.PollAsync"/>). Goal events are all kept
/// (one small entry per goal, no value: values are read from the shared store). Node events go
/// to a ring of <see cref="NodeCapacity"/> entries, handed out only to a poll that asks for them
/// (a client asks while someone watches; from its cursor, so a watcher that comes shortly after
/// the start still gets the first nodes): a client that falls behind loses the oldest ones (it
/// is told how many), so memory stays bounded on a run of any size and a slow client never holds
/// the execution back — the same coalescing a local execution's event hub applies to a slow reader.
/// </summary>
internal sealed class ExecutionEventLog
{
    /// <summary>Node events kept at most per execution.</summary>
    public const int NodeCapacity = 8192;

    /// <summary>Node events or goals one answer carries at most.</summary>
    public const int MaxBatch = 1024;

    /// <summary>Longest error text a node event carries (a goal's error travels whole in the final goals).</summary>
    public const int MaxErrorChars = 4096;

    private readonly Lock _gate = new();
    private readonly NodeEventWire?[] _ring;
    private readonly List<GoalSnapshot> _goals = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _lastNode; // sequence of the newest node event (0: none yet)
    private volatile bool _ended;

    /// <summary>Starts following <paramref name="execution"/>'s events until it ends (subscribed before this returns).</summary>
    /// <param name="execution">The execution.</param>
    /// <param name="nodeCapacity">Node events kept at most (<see cref="NodeCapacity"/>).</param>
    public ExecutionEventLog(IExecution execution, int nodeCapacity = NodeCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nodeCapacity, 1);
        _ring = new NodeEventWire?[nodeCapacity];
        // Not Task.Run: the subscription happens in the first, synchronous part of the pump, so no event after this constructor is missed.
        Pump = PumpAsync(execution);
    }

    /// <summary>Completes once the execution's last event (ExecutionFinished) has been taken in.</summary>
    public Task Pump { get; }

    /// <summary>True once every goal event is here (the execution has ended).</summary>
    public bool Ended => _ended;

    /// <summary>Sequence of the newest node event.</summary>
    public long LastNode
    {
        get
        {
            lock (_gate) return _lastNode;
        }
    }

    private async Task PumpAsync(IExecution execution)
    {
        try
        {
            await foreach (var e in execution.WatchAsync(replay: true).ConfigureAwait(false))
            {
                switch (e.Kind)
                {
                    case ExecutionEventKind.NodeFinished or ExecutionEventKind.NodeRetrying:
                        AddNode(e);
                        break;
                    case ExecutionEventKind.GoalFinished when e.Goal is { } goal:
                        lock (_gate) _goals.Add(Describe(goal));
                        Signal();
                        break;
                }
            }
        }
        finally
        {
            _ended = true;
            Signal();
        }
    }

    private void AddNode(ExecutionEvent e)
    {
        var error = e.Error is { Length: > MaxErrorChars } text ? text[..MaxErrorChars] + "…" : e.Error;
        lock (_gate)
        {
            var sequence = ++_lastNode;
            _ring[sequence % _ring.Length] = new NodeEventWire
            {
                Sequence = sequence, Retrying = e.Kind == ExecutionEventKind.NodeRetrying, NodeId = e.NodeId.ToByteArray(), Operator = e.Operator,
                Status = (int)e.NodeStatus, Error = error, DurationTicks = e.Duration.Ticks, AllocatedBytes = e.AllocatedBytes, Attempt = e.Attempt,
                AtTicks = e.At.UtcTicks,
            };
        }

        Signal();
    }

    /// <summary>True when something after these cursors is waiting (node events only when <paramref name="nodes"/>), or the execution has ended.</summary>
    public bool HasNews(long nodeCursor, int goalCursor, bool nodes)
    {
        lock (_gate) return _ended || _goals.Count > goalCursor || (nodes && _lastNode > nodeCursor);
    }

    /// <summary>Waits until <see cref="HasNews"/> or <paramref name="maxWait"/> has passed.</summary>
    public async Task WaitAsync(long nodeCursor, int goalCursor, bool nodes, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        Task changed;
        lock (_gate) changed = _changed.Task;
        if (HasNews(nodeCursor, goalCursor, nodes)) return;
        try
        {
            await changed.WaitAsync(maxWait, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Nothing new: the caller gets the progress.
        }
    }

    /// <summary>Fills <paramref name="update"/> with the goals and (when <paramref name="nodes"/>) the node events after the cursors, a batch of each at most.</summary>
    public void Read(long nodeCursor, int goalCursor, bool nodes, ExecutionUpdate update)
    {
        lock (_gate)
        {
            goalCursor = Math.Clamp(goalCursor, 0, _goals.Count);
            var goals = Math.Min(MaxBatch, _goals.Count - goalCursor);
            update.Goals = goals == 0 ? [] : _goals.GetRange(goalCursor, goals).ToArray();
            update.GoalCursor = goalCursor + goals;
            update.More = update.GoalCursor < _goals.Count;

            nodeCursor = Math.Clamp(nodeCursor, 0, _lastNode);
            if (!nodes)
            {
                update.NodeCursor = nodeCursor;
                return;
            }

            var oldest = Math.Max(1, _lastNode - _ring.Length + 1);
            var from = Math.Max(nodeCursor + 1, oldest);
            update.DroppedNodes = from - (nodeCursor + 1);
            var count = (int)Math.Min(MaxBatch, _lastNode - from + 1);
            var batch = new NodeEventWire[Math.Max(0, count)];
            for (var i = 0; i < batch.Length; i++) batch[i] = _ring[(from + i) % _ring.Length]!;
            update.Nodes = batch;
            update.NodeCursor = batch.Length > 0 ? batch[^1].Sequence : from - 1;
            update.More |= update.NodeCursor < _lastNode;
        }
    }

    /// <summary>A goal as it travels: where its result stands, no value.</summary>
    public static GoalSnapshot Describe(GoalResult g) => new()
    {
        Name = g.Name, Kind = (int)g.Kind, NodeId = g.NodeId.ToString(), Status = (int)g.Status, Error = g.Error, Size = g.Size,
        DataType = (int)g.DataType, DurationTicks = g.Duration.Ticks, Ordinal = g.Ordinal,
    };

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
