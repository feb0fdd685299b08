using System.Diagnostics;
using VoxScheduler.Cluster.Grains;
using VoxScheduler.Cluster.Postgres;
using VoxScheduler.Dag;
using VoxScheduler.Execution;
using VoxScheduler.Operations;
using VoxScheduler.Scheduling;
using VoxScheduler.Storage;
using VoxScheduler.Values;

namespace VoxScheduler.Cluster.Worker;

/// <summary>
/// The node-running half of a silo (one per silo, behind its worker-slot grains): resolves each
/// node's operation in this silo's registry by operator and revision, reads its inputs from the
/// shared store through a size-bounded cache keyed by content id (safe: an id is a content
/// address; the coordinator never sends a volatile node here, so nothing volatile is cached),
/// runs it, and writes the results of a batch to the store in one write before answering.
/// <para>
/// Pooled values (an image's voxel buffer, <see cref="IPooledValue"/>) are counted as the
/// scheduler counts them: the batch holds each result until it is written (written straight from
/// the image's own buffer, no copy), the cache holds what it keeps, and a node holds an input lent
/// by the cache until its result is held; so a buffer goes back to the silo's pool once nothing
/// here can read it, never while a node still reads it, and the next kernel reuses it.
/// </para>
/// </summary>
internal sealed class NodeWorker : IAsyncDisposable
{
    /// <summary>Largest result (byte form) a worker returns with its answer (<see cref="NodeCallResult.Value"/>).</summary>
    public const int ReturnLimit = 256;

    /// <summary>Most bytes of results one answer carries.</summary>
    public const int ReturnBudget = 64 * 1024;

    private readonly OperationRegistry _operations;
    private readonly SiloWorkerOptions _options;
    private readonly string _silo;
    private readonly StoreCache<string, IResultStore> _stores;
    private readonly ValueCache _cache = new();
    private readonly OperationEnvironment _environment;
    private int _inFlight;

    public NodeWorker(OperationRegistry operations, SiloWorkerOptions options, string silo)
    {
        _operations = operations;
        _options = options;
        _silo = silo;
        _stores = new StoreCache<string, IResultStore>(async ns => await PostgresResultStore.OpenAsync(options.ConnectionString, ns, new StoreOptions(), CancellationToken.None).ConfigureAwait(false),
            maxIdle: options.MaxIdleStores, comparer: StringComparer.Ordinal);
        _environment = new OperationEnvironment
        {
            Services = new Dictionary<string, object>(StringComparer.Ordinal) { [ClusterServiceKeys.Silo] = silo },
        };
    }

    /// <summary>This silo's address.</summary>
    public string Silo => _silo;

    /// <summary>Worker slots this silo offers.</summary>
    public int Slots => _options.Slots;

    /// <summary>Calls running on this silo now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Stores this worker has open now (held by calls in flight, or idle: at most <see cref="SiloWorkerOptions.MaxIdleStores"/> of those).</summary>
    public int OpenStores => _stores.Open;

    /// <summary>Stores this worker has opened so far (a namespace closed and used again counts again).</summary>
    public long StoresOpened => _stores.Opened;

    /// <summary>Bytes of input values held by this silo's cache.</summary>
    public long CachedBytes => _cache.Bytes;

    public async Task<NodeCallResult[]> RunAsync(NodeBatch batch, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _inFlight);
        StoreCache<string, IResultStore>.Lease? lease = null;
        try
        {
            var results = new NodeCallResult[batch.Nodes.Length];
            IResultStore store;
            try
            {
                // Held until the answer: the store is never closed under this call.
                lease = await _stores.AcquireAsync(batch.StoreNamespace, cancellationToken).ConfigureAwait(false);
                store = lease.Store;
            }
            catch (Exception e) when (e is StorageException or InvalidOperationException)
            {
                for (var i = 0; i < results.Length; i++) results[i] = Failure($"The store '{batch.StoreNamespace}' cannot be opened on silo {_silo}: {e.Message}", FailureKinds.Storage);
                return results;
            }

            // The execution's own write options (compression, codec, streaming threshold), as a local run applies its ExecutionConfig's.
            var write = new ResultWriteOptions { Compression = batch.Compression, CompressionCodec = batch.CompressionCodec, StreamingThreshold = batch.StreamingThreshold };
            if (!ValidWriteOptions(write, out var problem))
            {
                for (var i = 0; i < results.Length; i++) results[i] = Failure($"The execution's write options are not valid on silo {_silo}: {problem}", FailureKinds.None);
                return results;
            }

            var streams = new StreamingSource(store, batch.DagId, batch.ExecutionId, TimeProvider.System, write);
            var prefetched = await PrefetchAsync(store, batch, cancellationToken).ConfigureAwait(false);
            var pending = new List<Pending>(batch.Nodes.Length);
            try
            {
                for (var i = 0; i < batch.Nodes.Length; i++)
                {
                    var call = batch.Nodes[i];
                    if (cancellationToken.IsCancellationRequested)
                    {
                        results[i] = new NodeCallResult { Status = NodeCallStatus.Cancelled, Silo = _silo };
                        continue;
                    }

                    results[i] = await RunOneAsync(call, store, streams, batch, write.StreamingThreshold, prefetched, pending, i, cancellationToken).ConfigureAwait(false);
                }

                if (pending.Count > 0) await StoreAllAsync(store, batch, write, pending, results).ConfigureAwait(false);
                ReturnSmallValues(pending, results);
                return results;
            }
            finally
            {
                // Written (or failed): the batch's holds go; a buffer nothing else holds returns to the pool.
                foreach (var item in pending) PooledValues.Release(item.Value);
            }
        }
        finally
        {
            lease?.Dispose();
            Interlocked.Decrement(ref _inFlight);
        }
    }

    /// <summary>
    /// The small stored inputs of the whole batch that this silo's cache lacks, in one query: a
    /// batch of trivial nodes costs one read, not one per input.
    /// </summary>
    private async Task<Dictionary<NodeId, byte[]>?> PrefetchAsync(IResultStore store, NodeBatch batch, CancellationToken cancellationToken)
    {
        if (store is not PostgresResultStore postgres) return null;
        HashSet<NodeId>? wanted = null;
        foreach (var call in batch.Nodes)
        {
            foreach (var input in call.Inputs)
            {
                if (input.Inline is not null) continue;
                var id = NodeId.FromBytes(input.Id);
                if (!_cache.Contains(id)) (wanted ??= []).Add(id); // a look, not a loan: TryGet would lend a hold of a pooled value
            }
        }

        if (wanted is null) return null;
        try
        {
            return await postgres.RetrieveInlineManyAsync(wanted, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageException)
        {
            return null; // each input is then read (and its failure reported) on its own
        }
    }

    private static bool ValidWriteOptions(ResultWriteOptions write, out string problem)
    {
        problem = string.Empty;
        if (write.StreamingThreshold <= 0) problem = $"the streaming threshold must be positive, not {write.StreamingThreshold}.";
        else if (!ResultWriteOptions.Codecs.Contains(write.CompressionCodec?.Trim().ToLowerInvariant() ?? string.Empty))
            problem = $"the codec must be one of {string.Join(", ", ResultWriteOptions.Codecs)}, not '{write.CompressionCodec}'.";
        return problem.Length == 0;
    }

    /// <summary>A computed value waiting to be written: its encoding (the value's own buffer for an image) and the value, held by the batch until then.</summary>
    private readonly record struct Pending(int Index, NodeId Id, ReadOnlyMemory<byte> Bytes, DataType Type, string Operator, object? Value);

    private async Task<NodeCallResult> RunOneAsync(NodeCall call, IResultStore store, StreamingSource streams, NodeBatch batch, long streamingThreshold,
        Dictionary<NodeId, byte[]>? prefetched, List<Pending> pending, int index, CancellationToken cancellationToken)
    {
        List<object>? lent = null;
        try
        {
            return await RunOneAsync(call, store, streams, batch, streamingThreshold, prefetched, pending, index, l => (lent ??= []).Add(l), cancellationToken)
                .ConfigureAwait(false);
        }
        finally
        {
            // The cache's loans end once the node's result is held (an operation may return an input itself).
            if (lent is not null) foreach (var value in lent) PooledValues.Release(value);
        }
    }

    private async Task<NodeCallResult> RunOneAsync(NodeCall call, IResultStore store, StreamingSource streams, NodeBatch batch, long streamingThreshold,
        Dictionary<NodeId, byte[]>? prefetched, List<Pending> pending, int index, Action<object> lend, CancellationToken cancellationToken)
    {
        var id = NodeId.FromBytes(call.NodeId);
        if (!_operations.TryGet(call.Operator, out var op) || op.Revision != call.Revision)
        {
            var have = op is null ? "not registered" : $"revision {op.Revision} here";
            return Failure($"The operator '{call.Operator}' (revision {call.Revision}) is not available on silo {_silo} ({have}); every silo needs the same operations.", FailureKinds.None);
        }

        var arguments = new object?[call.Inputs.Length];
        for (var a = 0; a < arguments.Length; a++)
        {
            var input = call.Inputs[a];
            if (input.Inline is { } inline)
            {
                arguments[a] = ValueCodec.Decode(inline);
                continue;
            }

            var inputId = NodeId.FromBytes(input.Id);
            try
            {
                if (op.ReadsAsStream(a) && await store.GetMetadataAsync(inputId, cancellationToken).ConfigureAwait(false) is { } stored)
                {
                    arguments[a] = new StoredArgument(inputId, stored.Size, ct => store.OpenReadAsync(inputId, ct));
                    continue;
                }

                if (_cache.TryGet(inputId) is { } kept)
                {
                    lend(kept); // the cache lends a hold of a pooled value: it cannot go back to the pool while this node reads it
                    arguments[a] = ScheduledExecution.Unbox(kept);
                    continue;
                }

                var bytes = prefetched is not null && prefetched.TryGetValue(inputId, out var early) ? early
                    : await store.RetrieveAsync(inputId, cancellationToken).ConfigureAwait(false);
                if (bytes is null) return Failure($"Input {inputId} of node {id} is not in the store '{batch.StoreNamespace}'.", FailureKinds.Storage);
                var value = ValueCodec.Decode(bytes);
                arguments[a] = value;
                Keep(inputId, value);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return new NodeCallResult { Status = NodeCallStatus.Cancelled, Silo = _silo };
            }
            catch (Exception e) when (e is StorageException or InvalidDataException or IOException)
            {
                return Failure($"Reading input {inputId} of node {id} failed on silo {_silo}: {e.Message}", FailureKinds.Storage);
            }
        }

        var result = await NodeExecutor.ExecuteAsync(op, id, arguments, call.Attributes, _environment, cancellationToken, streams, call.Attempt)
            .ConfigureAwait(false);
        switch (result.Status)
        {
            case NodeStatus.Cancelled:
                return new NodeCallResult { Status = NodeCallStatus.Cancelled, Silo = _silo };
            case NodeStatus.Failed:
                var error = result.Error ?? new InvalidOperationException("The node failed.");
                return Failure(error.Message, RetryPolicy.Classify(error), result.Duration);
        }

        switch (result.Result.Kind)
        {
            case OperationResultKind.Value:
                var value = result.Result.Value;
                // Held by the batch until written; what a sequence or record holds is not counted, so it never returns to the pool.
                PooledValues.Retain(value);
                PooledValues.ShareContents(value);
                // An image made by a kernel is written from its own buffer (tag and header in front of the voxels): no copy.
                var bytes = ValueCodec.TryGetEncoded(value, out var encoded) ? encoded : ValueCodec.Encode(value);
                pending.Add(new Pending(index, id, bytes, ValueCodec.Classify(value, streamingThreshold), op.Name, value));
                Keep(id, value);
                return new NodeCallResult
                {
                    Status = NodeCallStatus.Completed, Size = bytes.Length, Checksum = StoreHash.ToHex(StoreHash.Compute(bytes.Span)),
                    DurationTicks = result.Duration.Ticks, Silo = _silo,
                };
            case OperationResultKind.Streamed:
                var meta = await store.GetMetadataAsync(id, CancellationToken.None).ConfigureAwait(false);
                return new NodeCallResult
                {
                    Status = NodeCallStatus.Completed, Size = meta?.Size ?? 0, Checksum = meta?.ContentHash, DurationTicks = result.Duration.Ticks, Silo = _silo,
                };
            default:
                return Failure($"The operation '{op.Name}' expanded into a DAG fragment on silo {_silo}; expanding operations run on the coordinator.", FailureKinds.None);
        }
    }

    /// <summary>Writes the values of a batch: the small ones as one batch when the store takes batches, the rest one by one.</summary>
    private async Task StoreAllAsync(IResultStore store, NodeBatch batch, ResultWriteOptions write, List<Pending> pending, NodeCallResult[] results)
    {
        var single = new List<Pending>();
        try
        {
            if (store is IResultBatchSink sink)
            {
                var rows = sink.CreateBatch(write);
                rows.Reset(batch.DagId, batch.ExecutionId);
                foreach (var item in pending)
                {
                    if (!rows.TryAdd(item.Id, item.Bytes.Span, item.Type, item.Operator)) single.Add(item);
                }

                // Durability is not the caller's cancellation's business: a computed value is kept.
                if (rows.Count > 0) await sink.StoreBatchAsync(rows).ConfigureAwait(false);
            }
            else
            {
                single.AddRange(pending);
            }

            foreach (var item in single)
            {
                var meta = StorageMetadata.ForResult(item.Id, item.Type, item.Bytes.Length, item.Operator, batch.DagId, batch.ExecutionId, DateTimeOffset.UtcNow);
                await store.StoreAsync(item.Id, item.Bytes, meta, write, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is StorageException or IOException)
        {
            // Not known to be durable: the coordinator retries these nodes (a stored copy is kept once, ON CONFLICT DO NOTHING).
            foreach (var item in pending)
            {
                results[item.Index] = Failure($"Storing the result of node {item.Id} failed on silo {_silo}: {e.Message}", FailureKinds.Storage);
            }
        }
    }

    /// <summary>Tiny stored results go back with the answer (within <see cref="ReturnBudget"/>): the coordinator sends them inline to their dependents.</summary>
    private static void ReturnSmallValues(List<Pending> pending, NodeCallResult[] results)
    {
        var budget = ReturnBudget;
        foreach (var item in pending)
        {
            var result = results[item.Index];
            if (result.Status != NodeCallStatus.Completed || item.Bytes.Length > ReturnLimit || item.Bytes.Length > budget) continue;
            result.Value = item.Bytes.ToArray();
            budget -= item.Bytes.Length;
        }
    }

    private void Keep(NodeId id, object? value)
    {
        if (_options.CacheBytes <= 0) return;
        PooledValues.Retain(value); // the cache's own hold, which it lets go when it evicts the value (or does not keep it)
        _cache.AddRange([(id, ScheduledExecution.Box(value))], _options.CacheBytes);
    }

    private NodeCallResult Failure(string message, FailureKinds kind, TimeSpan duration = default) =>
        new() { Status = NodeCallStatus.Failed, Error = message, FailureKind = (int)kind, DurationTicks = duration.Ticks, Silo = _silo };

    public ValueTask DisposeAsync() => _stores.DisposeAsync();
}
