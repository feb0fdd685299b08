using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace VoxScheduler.Scheduling;

/// <summary>
/// Fans an execution's events out to its subscribers. Each subscriber has its own queue, so a
/// slow reader never blocks the execution. Goal and finish events are never dropped (they are
/// bounded by the number of goals); node and progress events are dropped for a reader that has
/// more than <see cref="DroppableLimit"/> of them unread (the next progress event supersedes
/// them anyway). Finished goals are remembered so a late subscriber can replay them.
/// </summary>
internal sealed class EventHub
{
    public const int DroppableLimit = 4096;

    private readonly object _lock = new();
    private readonly List<ExecutionEvent> _goalEvents = [];
    private Subscriber[] _subscribers = [];
    private ExecutionEvent? _finished;

    /// <summary>Cheap check so the hot path builds no event nobody reads.</summary>
    public bool HasSubscribers => Volatile.Read(ref _subscribers).Length > 0;

    /// <summary>Publishes a node, retry or progress event (may be dropped for a slow reader).</summary>
    public void PublishDroppable(ExecutionEvent e)
    {
        foreach (var s in Volatile.Read(ref _subscribers))
        {
            s.TryWriteDroppable(e);
        }
    }

    /// <summary>Publishes a goal event: remembered for replay and delivered to every subscriber.</summary>
    public void PublishGoal(ExecutionEvent e)
    {
        // Under the lock so a subscriber either gets it in its replay or as a live event, never both or neither.
        lock (_lock)
        {
            _goalEvents.Add(e);
            foreach (var s in _subscribers) s.Write(e);
        }
    }

    /// <summary>Publishes the last event and ends every subscription.</summary>
    public void PublishFinished(ExecutionEvent e)
    {
        lock (_lock)
        {
            _finished = e;
            foreach (var s in _subscribers)
            {
                s.Write(e);
                s.Complete();
            }

            _subscribers = [];
        }
    }

    public async IAsyncEnumerable<ExecutionEvent> WatchAsync(bool replay, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Subscriber? subscriber = null;
        ExecutionEvent[] past;
        ExecutionEvent? finished;
        lock (_lock)
        {
            past = replay ? [.. _goalEvents] : [];
            finished = _finished;
            if (finished is null)
            {
                subscriber = new Subscriber();
                _subscribers = [.. _subscribers, subscriber];
            }
        }

        try
        {
            foreach (var e in past) yield return e;
            if (subscriber is null)
            {
                yield return finished!;
                yield break;
            }

            var reader = subscriber.Reader;
            while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (reader.TryRead(out var e))
                {
                    subscriber.OnRead(e);
                    yield return e;
                }
            }
        }
        finally
        {
            if (subscriber is not null)
            {
                lock (_lock)
                {
                    _subscribers = _subscribers.Where(s => !ReferenceEquals(s, subscriber)).ToArray();
                }
            }
        }
    }

    private static bool IsDroppable(ExecutionEvent e) =>
        e.Kind is ExecutionEventKind.NodeFinished or ExecutionEventKind.NodeRetrying or ExecutionEventKind.Progress;

    private sealed class Subscriber
    {
        private readonly Channel<ExecutionEvent> _channel = Channel.CreateUnbounded<ExecutionEvent>(new UnboundedChannelOptions
        {
            SingleReader = true,
            SingleWriter = false,
            AllowSynchronousContinuations = false,
        });

        private int _droppableQueued;

        public ChannelReader<ExecutionEvent> Reader => _channel.Reader;

        public void TryWriteDroppable(ExecutionEvent e)
        {
            if (Interlocked.Increment(ref _droppableQueued) > DroppableLimit || !_channel.Writer.TryWrite(e))
            {
                Interlocked.Decrement(ref _droppableQueued);
            }
        }

        public void Write(ExecutionEvent e) => _channel.Writer.TryWrite(e);

        public void Complete() => _channel.Writer.TryComplete();

        public void OnRead(ExecutionEvent e)
        {
            if (IsDroppable(e)) Interlocked.Decrement(ref _droppableQueued);
        }
    }
}
