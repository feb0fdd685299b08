using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using VoxScheduler.Cluster.Grains;
using VoxScheduler.Cluster.Worker;
using VoxScheduler.Dag;
using VoxScheduler.Execution;
using VoxScheduler.Operations;
using VoxScheduler.Operations.Builtins;
using VoxScheduler.Scheduling;
using VoxScheduler.Storage;
using VoxScheduler.Values;

namespace VoxScheduler.Cluster.Coordinator;

/// <summary>
/// The cluster's node runner (DESIGN.md, "Beyond one machine"): the scheduler decides when a node
/// runs, this decides that it runs on a worker-slot grain, sending the node's id, operation and
/// input ids, never a stored value. A free-slot pool gives each slot at most one call in flight
/// (back-pressure without queueing inside Orleans); a call carries the ready nodes that queued
/// while every slot was busy, up to <see cref="MaxBatch"/>, so trivial nodes are not one call
/// each; long nodes go one per call unless the queue holds several for every slot
/// (<see cref="DeepBatch"/>). A result comes back as "stored": the scheduler treats it like a
/// streamed result (in the store, dependents read it by id). A lost worker (its silo died, the call was rejected or timed
/// out) makes the runner ask the store which of the call's nodes finished and send the others
/// again. Nodes that must run here run on the local runner: volatile ones (their values never leave
/// this execution's memory), those that read files or expand into DAG fragments.
/// </summary>
internal sealed class RemoteNodeRunner : INodeRunner, IAsyncDisposable
{
    /// <summary>Encoded size up to which an input held only in memory travels inline (a constant); larger ones are stored first.</summary>
    public const int InlineLimit = 64 * 1024;

    /// <summary>Times a node may lose its worker before its try counts as failed (then the scheduler's retries take over).</summary>
    public const int MaxLost = 5;

    private readonly IGrainFactory _grains;
    private readonly string _coordinator;
    private readonly ILogger _log;
    private readonly Channel<RemoteNode> _queue = Channel.CreateUnbounded<RemoteNode>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, long> _nodesPerSilo = new(StringComparer.Ordinal);
    private readonly Task _dispatcher;
    private long _calls, _redispatched;
    private int _queued; // nodes in _queue (the single-reader channel does not count)
    private readonly Queue<DispatchRecord> _recent = new();

    public RemoteNodeRunner(IGrainFactory grains, string coordinator, int maxBatch, ILogger log)
    {
        _grains = grains;
        _coordinator = coordinator;
        MaxBatch = maxBatch;
        _log = log;
        _dispatcher = Task.Run(DispatchAsync);
    }

    /// <summary>Most nodes in one call.</summary>
    public int MaxBatch { get; }

    /// <summary>The free-slot pool: the slots of the live silos.</summary>
    public SlotPool Slots { get; } = new();

    /// <summary>Slots of the live silos.</summary>
    public int SlotCount => Slots.Count;

    /// <summary>How long each operator's nodes take on the workers (what a call's batch is sized by).</summary>
    public OperatorTimes Times { get; } = new();

    /// <summary>Calls made so far.</summary>
    public long Calls => Interlocked.Read(ref _calls);

    /// <summary>Most calls <see cref="RecentCalls"/> keeps.</summary>
    public const int RecentLimit = 1024;

    /// <summary>The last calls made (at most <see cref="RecentLimit"/>), oldest first.</summary>
    public IReadOnlyList<DispatchRecord> RecentCalls
    {
        get
        {
            lock (_recent) return [.. _recent];
        }
    }

    /// <summary>Nodes sent again after their worker was lost.</summary>
    public long Redispatched => Interlocked.Read(ref _redispatched);

    /// <summary>Nodes each silo completed for this runner.</summary>
    public IReadOnlyDictionary<string, long> NodesPerSilo => new Dictionary<string, long>(_nodesPerSilo, StringComparer.Ordinal);

    /// <inheritdoc />
    public bool NeedsValues(in NodeRun node, OperationEnvironment environment) =>
        node.Volatile || node.Operation.Purity != Purity.Pure || node.Operation is ForEachOperation || ContextOf(environment) is null;

    /// <inheritdoc />
    public ValueTask<ExecutionResult> RunAsync(in NodeRun node, in NodeInputs inputs, OperationEnvironment environment,
        IStreamingOutputSource? streams, CancellationToken cancellationToken)
    {
        if (NeedsValues(node, environment)) return LocalNodeRunner.Instance.RunAsync(node, inputs, environment, streams, cancellationToken);
        var context = ContextOf(environment)!;
        var call = new NodeCall
        {
            NodeId = node.NodeId.ToByteArray(), Operator = node.Operator, Revision = node.Revision, Attempt = node.Attempt,
            Attributes = node.Attributes is null ? null : new Dictionary<string, object?>(node.Attributes, StringComparer.Ordinal),
            Inputs = new NodeArgument[inputs.Count],
        };
        List<Task>? publishing = null;
        var inlineBudget = InlineLimit;
        for (var i = 0; i < inputs.Count; i++)
        {
            var id = inputs.IdAt(i);
            var argument = new NodeArgument { Id = id.ToByteArray() };
            call.Inputs[i] = argument;
            if (inputs.IsStored(i))
            {
                // A tiny result a worker returned: inline (no store read on the worker), within the node's inline budget.
                if (!node.Operation.ReadsAsStream(i) && context.SmallValue(id) is { } small && small.Length <= inlineBudget)
                {
                    argument.Inline = small;
                    inlineBudget -= small.Length;
                }

                continue;
            }

            // Held only in memory here (a constant, or a value not yet durable): small ones travel inline, large ones are stored first.
            var bytes = ValueCodec.Encode(inputs.ValueAt(i));
            if (bytes.Length <= InlineLimit)
            {
                argument.Inline = bytes;
                continue;
            }

            (publishing ??= []).Add(context.Published.GetOrAdd(id, _ => PublishAsync(context, id, bytes)));
        }

        var remote = new RemoteNode(call, node.NodeId, node.Operator, context, cancellationToken);
        if (publishing is null)
        {
            Enqueue(remote);
        }
        else
        {
            _ = EnqueueAfterAsync(remote, publishing);
        }

        return new ValueTask<ExecutionResult>(remote.Completion.Task);
    }

    private async Task EnqueueAfterAsync(RemoteNode remote, List<Task> publishing)
    {
        try
        {
            await Task.WhenAll(publishing).ConfigureAwait(false);
            Enqueue(remote);
        }
        catch (Exception e)
        {
            remote.Completion.TrySetResult(new ExecutionResult(remote.Id, NodeStatus.Failed, default,
                new StorageException($"An input of node {remote.Id} could not be written to the shared store: {e.Message}", remote.Id.ToString(), e), TimeSpan.Zero, 0));
        }
    }

    private void Enqueue(RemoteNode node)
    {
        Interlocked.Increment(ref _queued);
        _queue.Writer.TryWrite(node);
    }

    private static async Task PublishAsync(ClusterExecutionContext context, NodeId id, byte[] bytes)
    {
        var meta = StorageMetadata.ForResult(id, DataType.Binary, bytes.Length, null, context.DagId, context.ExecutionId, DateTimeOffset.UtcNow);
        var type = ValueCodec.Classify(ValueCodec.Decode(bytes), context.WriteOptions.StreamingThreshold);
        await context.Store.StoreAsync(id, bytes, meta with { DataType = type }, context.WriteOptions, CancellationToken.None).ConfigureAwait(false);
    }

    private static ClusterExecutionContext? ContextOf(OperationEnvironment environment) =>
        environment.Services is { } services && services.TryGetValue(ClusterServiceKeys.Execution, out var found) ? found as ClusterExecutionContext : null;

    /// <summary>Pairs free slots with queued nodes: one call per slot at a time, each carrying queued nodes of one execution and token, up to <see cref="BatchSize"/> nodes and about <see cref="OperatorTimes.TargetBatch"/> of work.</summary>
    private async Task DispatchAsync()
    {
        var stop = _stop.Token;
        try
        {
            while (true)
            {
                var slot = await Slots.TakeAsync(stop).ConfigureAwait(false);
                var first = await _queue.Reader.ReadAsync(stop).ConfigureAwait(false);
                var queued = Interlocked.Decrement(ref _queued) + 1;
                var size = BatchSize(queued, Slots.FreeCount + 1, MaxBatch);
                // An operator not timed yet goes alone whatever the queue (its first node reports how long it takes).
                var deep = Times.Knows(first.Operator) ? DeepBatch(queued, Slots.Count) : 1;
                var batch = new List<RemoteNode>(size) { first };
                // About TargetBatch of work per call: long nodes one per call, so no slot idles while another runs a queue of them;
                // several when the queue holds that many for every slot of the pool (DeepBatch).
                var work = Times.Estimate(first.Operator);
                while (batch.Count < size && _queue.Reader.TryPeek(out var next) && next.Context == first.Context && next.Token == first.Token)
                {
                    var more = Times.Estimate(next.Operator);
                    if (work >= OperatorTimes.TargetBatch && (batch.Count >= deep || work + more > MaxDeepWork || !Times.Knows(next.Operator))) break;
                    if (!_queue.Reader.TryRead(out next)) break;
                    Interlocked.Decrement(ref _queued);
                    batch.Add(next);
                    work += more;
                }

                if (first.Token.IsCancellationRequested)
                {
                    foreach (var node in batch) Cancelled(node);
                    Slots.Return(slot);
                    continue;
                }

                lock (_recent)
                {
                    if (_recent.Count == RecentLimit) _recent.Dequeue();
                    _recent.Enqueue(new DispatchRecord(first.Context.StoreNamespace, queued, Slots.Count, batch.Count));
                }

                _ = CallAsync(slot, batch);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Disposed: anything still queued ends as cancelled.
            while (_queue.Reader.TryRead(out var left)) Cancelled(left);
        }
    }

    /// <summary>
    /// Nodes the next call carries at most (fewer when they add up to more than
    /// <see cref="OperatorTimes.TargetBatch"/> of work): the queued nodes shared evenly over the free slots, at most
    /// <see cref="MaxBatch"/>. One slot taking every queued node would run them one after another
    /// while the other slots idle (10 ms nodes ran at a tenth of the slots' rate that way); when
    /// every other slot is busy, a full batch is what keeps trivial nodes from costing a call each.
    /// </summary>
    internal static int BatchSize(int queued, int freeSlots, int maxBatch) =>
        Math.Clamp((queued + Math.Max(1, freeSlots) - 1) / Math.Max(1, freeSlots), 1, maxBatch);

    /// <summary>Most long nodes (each at least <see cref="OperatorTimes.TargetBatch"/> of work) one call carries when the queue is deep.</summary>
    public const int MaxDeepBatch = 4;

    /// <summary>
    /// Most work a call of several long nodes carries: its results come back together at its end,
    /// so longer nodes (where a call's own cost matters less) go fewer per call, and nodes of more
    /// than half of this one per call.
    /// </summary>
    public static readonly long MaxDeepWork = TimeSpan.FromMilliseconds(50).Ticks;

    /// <summary>
    /// Long nodes the next call may carry: as many as the queue holds for every slot of the pool
    /// (<paramref name="slots"/>, busy ones included), at most <see cref="MaxDeepBatch"/>. A call
    /// costs the coordinator, the silo and PostgreSQL CPU of its own (messages, a commit), which
    /// 10 ms nodes paid once each; while a wide layer's ready nodes outnumber the slots several
    /// times, carrying two to four per call leaves no slot without work. As the queue drains
    /// (a layer's tail) this falls back to one per call, so the tail is spread over the slots.
    /// </summary>
    internal static int DeepBatch(int queued, int slots) => Math.Clamp(queued / Math.Max(1, slots), 1, MaxDeepBatch);

    private async Task CallAsync(WorkerSlot slot, List<RemoteNode> batch)
    {
        var first = batch[0];
        var request = new NodeBatch
        {
            StoreNamespace = first.Context.StoreNamespace, DagId = first.Context.DagId, ExecutionId = first.Context.ExecutionId,
            Nodes = batch.Select(n => n.Call).ToArray(),
            Compression = first.Context.WriteOptions.Compression, CompressionCodec = first.Context.WriteOptions.CompressionCodec,
            StreamingThreshold = first.Context.WriteOptions.StreamingThreshold,
        };
        Interlocked.Increment(ref _calls);
        try
        {
            var grain = _grains.GetGrain<IWorkerSlotGrain>(slot.Index, $"{_coordinator}|{slot.Silo}");
            var results = await grain.RunAsync(request, first.Token).ConfigureAwait(false);
            List<RemoteNode>? again = null;
            for (var i = 0; i < batch.Count; i++)
            {
                if (!Complete(batch[i], results[i])) (again ??= []).Add(batch[i]);
            }

            if (again is not null) await RecoverAsync(again, null).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (first.Token.IsCancellationRequested)
        {
            foreach (var node in batch) Cancelled(node);
        }
        catch (Exception e) when (IsLostWorker(e))
        {
            await RecoverAsync(batch, e).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            foreach (var node in batch)
            {
                node.Completion.TrySetResult(new ExecutionResult(node.Id, NodeStatus.Failed, default,
                    new RemoteNodeFailedException($"The call to worker slot {slot.Index} on {slot.Silo} failed: {e.Message}"), TimeSpan.Zero, 0));
            }
        }
        finally
        {
            Slots.Return(slot);
        }
    }

    /// <summary>Ends a node with its worker's answer; false when the worker stopped it without our asking (sent again).</summary>
    private bool Complete(RemoteNode node, NodeCallResult result)
    {
        var duration = TimeSpan.FromTicks(result.DurationTicks);
        switch (result.Status)
        {
            case NodeCallStatus.Completed:
                if (result.Silo is { } silo) _nodesPerSilo.AddOrUpdate(silo, 1, static (_, n) => n + 1);
                Times.Record(node.Operator, result.DurationTicks);
                if (result.Value is { } small) node.Context.TryKeepSmall(node.Id, small);
                node.Completion.TrySetResult(new ExecutionResult(node.Id, NodeStatus.Completed, OperationResult.Streamed, null, duration, 0));
                return true;
            case NodeCallStatus.Failed:
                var message = result.Error ?? "The node failed.";
                // The worker's failure, of the kind the coordinator's retry policy classifies.
                Exception error = (FailureKinds)result.FailureKind switch
                {
                    FailureKinds.None => new NodeExecutionException(message, node.Id.ToString(), node.Operator, permanent: true),
                    FailureKinds.Timeout => new TimeoutException(message),
                    FailureKinds.Storage => new StorageException(message, node.Id.ToString()),
                    _ => new RemoteNodeFailedException(message),
                };
                node.Completion.TrySetResult(new ExecutionResult(node.Id, NodeStatus.Failed, default, error, duration, 0));
                return true;
            default:
                if (node.Token.IsCancellationRequested)
                {
                    Cancelled(node);
                    return true;
                }

                return false; // the silo is shutting down
        }
    }

    /// <summary>The worker was lost: nodes it finished are in the store; the others are sent again (after a pause, so membership can notice a dead silo).</summary>
    private async Task RecoverAsync(List<RemoteNode> nodes, Exception? cause)
    {
        bool[] stored;
        try
        {
            stored = await nodes[0].Context.Store.ExistsManyAsync(nodes.Select(n => n.Id).ToArray(), CancellationToken.None).ConfigureAwait(false);
        }
        catch (StorageException)
        {
            stored = new bool[nodes.Count];
        }

        var again = new List<RemoteNode>();
        for (var i = 0; i < nodes.Count; i++)
        {
            var node = nodes[i];
            if (stored[i])
            {
                node.Completion.TrySetResult(new ExecutionResult(node.Id, NodeStatus.Completed, OperationResult.Streamed, null, TimeSpan.Zero, 0));
            }
            else if (node.Token.IsCancellationRequested)
            {
                Cancelled(node);
            }
            else if (++node.Lost > MaxLost)
            {
                node.Completion.TrySetResult(new ExecutionResult(node.Id, NodeStatus.Failed, default,
                    new RemoteNodeFailedException($"Node {node.Id} lost its worker {node.Lost} times (last: {cause?.Message ?? "stopped by its silo"})."), TimeSpan.Zero, 0));
            }
            else
            {
                again.Add(node);
            }
        }

        if (again.Count == 0) return;
        _log.LogWarning("Worker lost ({Cause}); sending {Count} nodes again.", cause?.GetType().Name ?? "silo stopping", again.Count);
        try
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200 * again[0].Lost), again[0].Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Cancelled while waiting: the queue hands them back as cancelled.
        }

        Interlocked.Add(ref _redispatched, again.Count);
        foreach (var node in again) Enqueue(node);
    }

    private static bool IsLostWorker(Exception e) =>
        e is SiloUnavailableException or TimeoutException or OrleansMessageRejectionException or Orleans.Runtime.Messaging.ConnectionFailedException;

    private static void Cancelled(RemoteNode node) =>
        node.Completion.TrySetResult(new ExecutionResult(node.Id, NodeStatus.Cancelled, default, new OperationCanceledException(node.Token), TimeSpan.Zero, 0));

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _dispatcher.ConfigureAwait(false);
        _stop.Dispose();
    }
}
