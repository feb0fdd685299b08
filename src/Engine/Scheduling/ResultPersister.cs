using System.Threading.Channels;
using VoxScheduler.Dag;
using VoxScheduler.Execution;
using VoxScheduler.Storage;
using VoxScheduler.Values;

namespace VoxScheduler.Scheduling;

/// <summary>
/// Takes completed values off the workers and writes them to the store: workers enqueue and
/// go on (they never wait for durability); one loop encodes and issues many StoreAsync calls
/// at once so the store can commit them in one transaction (group commit), then awaits them.
/// The queue is bounded, so a store slower than the workers slows them down instead of letting
/// memory grow with the DAG. Each queued value holds a reference on its plan node until it is
/// durable, so a released value can always be found in the store.
/// </summary>
internal sealed class ResultPersister
{
    private const int Capacity = 16 * 1024;
    private const int MaxInFlight = 1024;

    private readonly Channel<PersistItem> _queue = Channel.CreateBounded<PersistItem>(new BoundedChannelOptions(Capacity)
    {
        SingleReader = true,
        SingleWriter = false,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private readonly IResultStore _store;
    private readonly Action<int[], int> _release;
    private readonly Action<PersistItem, Exception> _onError;
    private readonly string _dagId;
    private readonly string _executionId;
    private readonly long _streamingThreshold;
    private readonly TimeProvider _time;
    private readonly Task _loop;

    public ResultPersister(IResultStore store, string dagId, string executionId, long streamingThreshold, TimeProvider time,
        Action<int[], int> release, Action<PersistItem, Exception> onError)
    {
        _store = store;
        _dagId = dagId;
        _executionId = executionId;
        _streamingThreshold = streamingThreshold;
        _time = time;
        _release = release;
        _onError = onError;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Results written so far.</summary>
    public long Written => Volatile.Read(ref _written);

    private long _written;

    public bool TryEnqueue(in PersistItem item) => _queue.Writer.TryWrite(item);

    public ValueTask EnqueueAsync(PersistItem item) => _queue.Writer.WriteAsync(item);

    /// <summary>Accepts nothing more and waits until everything accepted was handed to the store and answered.</summary>
    public Task CompleteAsync()
    {
        _queue.Writer.TryComplete();
        return _loop;
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        var items = new PersistItem[MaxInFlight];
        var pending = new ValueTask<bool>[MaxInFlight];
        var nodes = new int[MaxInFlight];
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            var count = 0;
            while (count < MaxInFlight && reader.TryRead(out var item))
            {
                items[count] = item;
                try
                {
                    var value = item.Value;
                    var data = ValueCodec.Encode(value);
                    var metadata = NodeExecutor.Metadata(item.Id, ValueCodec.Classify(value, _streamingThreshold), data.Length, item.Operator,
                        _dagId, _executionId, _time.GetUtcNow());
                    // Durability is not our cancellation's business: a completed value is kept even when the run is cancelled.
                    pending[count] = _store.StoreAsync(item.Id, data, metadata, CancellationToken.None);
                }
                catch (Exception e)
                {
                    pending[count] = ValueTask.FromException<bool>(e);
                }

                count++;
            }

            for (var i = 0; i < count; i++)
            {
                try
                {
                    await pending[i].ConfigureAwait(false);
                    _written++;
                }
                catch (Exception e)
                {
                    _onError(items[i], e);
                }

                nodes[i] = items[i].Node;
                items[i] = default;
                pending[i] = default;
            }

            _release(nodes, count);
        }
    }
}

/// <summary>A completed value waiting to be written.</summary>
internal readonly record struct PersistItem(int Node, NodeId Id, object? Value, string? Operator);
