using System.Buffers;
using System.Threading.Channels;
using VoxScheduler.Dag;
using VoxScheduler.Execution;
using VoxScheduler.Storage;
using VoxScheduler.Values;

namespace VoxScheduler.Scheduling;

/// <summary>
/// Takes completed values off the workers and writes them to the store: workers enqueue and
/// go on (they never wait for durability); one loop encodes them and hands them to the store
/// many at a time so the store commits them in one transaction (group commit): on stores that
/// take batches (<see cref="IResultBatchSink"/>) as packed batches (<see cref="RunBatchedAsync"/>),
/// on others as many concurrent StoreAsync calls. The queue is bounded, so a store slower than the workers slows
/// them down instead of letting memory grow with the DAG. Each queued value holds a reference
/// on its plan node until it is durable, so a released value can always be found in the store.
/// </summary>
internal sealed class ResultPersister
{
    private const int Capacity = 16 * 1024;
    private const int MaxInFlight = 1024;

    // Values per writer op on the batched path, and values awaiting their commit at most. A batch
    // takes what the queue holds when it is built, often a few hundred values: the batch count
    // bound is generous, so it is the value count that sets how many rows a commit can gather
    // (16 batches capped a 1M-node run at ~20K rows per transaction; 256 let it reach 100K+,
    // halving the bytes the commits write to the WAL).
    private const int BatchSize = 4096;
    private const int MaxOutstanding = 128 * 1024;
    private const int MaxBatches = 256;

    // Encoded bytes per batch and awaiting their commit at most: large values are few per batch.
    private const long MaxBatchBytes = 64L * 1024 * 1024;
    private const long MaxOutstandingBytes = 256L * 1024 * 1024;

    // byte[] values longer than this skip the inline attempt (they are never inline rows at the default threshold).
    private const int InlineCandidate = 64 * 1024;

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
    private readonly ResultWriteOptions _write;
    private readonly TimeProvider _time;
    private readonly Task _loop;
    private readonly Stack<PersistBatch> _pool = new();

    // write: how the execution's results are stored (its compression, codec and streaming threshold).
    public ResultPersister(IResultStore store, string dagId, string executionId, ResultWriteOptions write, TimeProvider time,
        Action<int[], int> release, Action<PersistItem, Exception> onError)
    {
        _store = store;
        _dagId = dagId;
        _executionId = executionId;
        _write = write;
        _streamingThreshold = write.StreamingThreshold;
        _time = time;
        _release = release;
        _onError = onError;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Results written so far.</summary>
    public long Written => Interlocked.Read(ref _written);

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
        if (_store is IResultBatchSink sink)
        {
            await RunBatchedAsync(sink).ConfigureAwait(false);
            return;
        }

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
                pending[count] = StoreOne(item);
                count++;
            }

            for (var i = 0; i < count; i++)
            {
                try
                {
                    await pending[i].ConfigureAwait(false);
                    Interlocked.Increment(ref _written);
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

    private ValueTask<bool> StoreOne(PersistItem item, byte[]? encoded = null)
    {
        try
        {
            var value = item.Value;
            // A value that holds its own encoding (a pooled image) is written from its memory: no copy, no garbage.
            // The item's reference on its node keeps the value (and its buffer) until the store answered.
            ReadOnlyMemory<byte> data = encoded ?? (ValueCodec.TryGetEncoded(value, out var inPlace) ? inPlace : ValueCodec.Encode(value));
            var metadata = StorageMetadata.ForResult(item.Id, ValueCodec.Classify(value, _streamingThreshold), data.Length, item.Operator,
                _dagId, _executionId, _time.GetUtcNow());
            // Durability is not our cancellation's business: a completed value is kept even when the run is cancelled.
            return _store.StoreAsync(item.Id, data, metadata, _write, CancellationToken.None);
        }
        catch (Exception e)
        {
            return ValueTask.FromException<bool>(e);
        }
    }

    /// <summary>
    /// The batched path: small results are packed into one store op per batch, and batches are
    /// pipelined (the next is built while earlier ones commit), so the store finds many rows
    /// queued and commits them together (on sqlite, bigger transactions rewrite each touched page
    /// of the random node_key index once for more rows). At most <see cref="MaxOutstanding"/>
    /// values (<see cref="MaxOutstandingBytes"/> encoded bytes) wait for their commit at any
    /// time. Batches are reused once committed: adding a small result allocates nothing.
    /// </summary>
    private async Task RunBatchedAsync(IResultBatchSink sink)
    {
        var reader = _queue.Reader;
        var outstanding = new Queue<(Task Done, int Count, long Bytes)>();
        var outstandingCount = 0;
        long outstandingBytes = 0;
        var encoded = new ArrayBufferWriter<byte>(256);
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            var batch = RentBatch(sink);
            var rows = batch.Rows;
            rows.Reset(_dagId, _executionId);
            long bytes = 0;
            while (batch.Count < BatchSize && bytes < MaxBatchBytes && reader.TryRead(out var item))
            {
                var index = batch.Count++;
                if (index == batch.Items.Length) batch.Grow();
                batch.Items[index] = item;
                try
                {
                    var value = item.Value;
                    if (value is byte[] { Length: > InlineCandidate } large)
                    {
                        bytes += large.Length;
                        (batch.Singles ??= []).Add((index, StoreOne(item)));
                        continue;
                    }

                    if (ValueCodec.TryGetEncoded(value, out var inPlace))
                    {
                        // Never encoded into the shared buffer (which would grow to the value's size and be copied again).
                        bytes += inPlace.Length;
                        (batch.Singles ??= []).Add((index, StoreOne(item)));
                        continue;
                    }

                    encoded.ResetWrittenCount();
                    ValueCodec.Encode(encoded, value);
                    bytes += encoded.WrittenCount;
                    if (!rows.TryAdd(item.Id, encoded.WrittenSpan, ValueCodec.Classify(value, _streamingThreshold), item.Operator))
                    {
                        (batch.Singles ??= []).Add((index, StoreOne(item, encoded.WrittenSpan.ToArray())));
                    }
                }
                catch (Exception e)
                {
                    (batch.Singles ??= []).Add((index, ValueTask.FromException<bool>(e)));
                }
            }

            if (encoded.Capacity > 64 * 1024) encoded = new ArrayBufferWriter<byte>(256);
            batch.Stored = rows.Count;
            if (batch.Stored > 0)
            {
                try
                {
                    batch.RowsDone = sink.StoreBatchAsync(rows);
                }
                catch (Exception e)
                {
                    // A closed store: reported for each value like any failed write, never out of this loop.
                    batch.RowsDone = Task.FromException(e);
                }
            }

            outstanding.Enqueue((FinishAsync(batch), batch.Count, bytes));
            outstandingCount += batch.Count;
            outstandingBytes += bytes;
            while (outstanding.TryPeek(out var oldest) && (oldest.Done.IsCompleted || outstandingCount > MaxOutstanding
                || outstandingBytes > MaxOutstandingBytes || outstanding.Count > MaxBatches))
            {
                await oldest.Done.ConfigureAwait(false);
                outstanding.Dequeue();
                outstandingCount -= oldest.Count;
                outstandingBytes -= oldest.Bytes;
            }
        }

        while (outstanding.TryDequeue(out var rest)) await rest.Done.ConfigureAwait(false);
    }

    /// <summary>Waits for a batch's writes, reports failures, drops the batch's references and returns it for reuse (never throws).</summary>
    private async Task FinishAsync(PersistBatch batch)
    {
        var failed = false;
        if (batch.RowsDone is { } rows)
        {
            try
            {
                await rows.ConfigureAwait(false);
                Interlocked.Add(ref _written, batch.Stored);
            }
            catch (Exception e)
            {
                // The whole op failed: report every value it carried (those not sent separately).
                failed = true;
                var single = new bool[batch.Count];
                foreach (var (index, _) in batch.Singles ?? []) single[index] = true;
                for (var i = 0; i < batch.Count; i++)
                {
                    if (!single[i]) _onError(batch.Items[i], e);
                }
            }
        }

        if (batch.Singles is { } singles)
        {
            foreach (var (index, pending) in singles)
            {
                try
                {
                    await pending.ConfigureAwait(false);
                    Interlocked.Increment(ref _written);
                }
                catch (Exception e)
                {
                    _onError(batch.Items[index], e);
                }
            }
        }

        var nodes = batch.Nodes;
        for (var i = 0; i < batch.Count; i++) nodes[i] = batch.Items[i].Node;
        _release(nodes, batch.Count);
        if (!failed) ReturnBatch(batch);
    }

    private PersistBatch RentBatch(IResultBatchSink sink)
    {
        lock (_pool)
        {
            if (_pool.TryPop(out var batch)) return batch;
        }

        return new PersistBatch(sink.CreateBatch(_write));
    }

    private void ReturnBatch(PersistBatch batch)
    {
        Array.Clear(batch.Items, 0, batch.Count);
        batch.Count = 0;
        batch.Stored = 0;
        batch.RowsDone = null;
        batch.Singles = null;
        lock (_pool) _pool.Push(batch);
    }

    /// <summary>One batch of values on its way to the store.</summary>
    private sealed class PersistBatch(ResultBatch rows)
    {
        public PersistItem[] Items = new PersistItem[256];
        public int[] Nodes = new int[256];
        public readonly ResultBatch Rows = rows;

        public int Count;

        // Batches start small (a slow producer sends a few values at a time) and grow to BatchSize.
        public void Grow()
        {
            Array.Resize(ref Items, Items.Length * 2);
            Nodes = new int[Items.Length];
        }

        /// <summary>Results in <see cref="Rows"/>.</summary>
        public int Stored;
        public Task? RowsDone;
        public List<(int Index, ValueTask<bool> Pending)>? Singles;
    }
}

/// <summary>A completed value waiting to be written.</summary>
internal readonly record struct PersistItem(int Node, NodeId Id, object? Value, string? Operator);
