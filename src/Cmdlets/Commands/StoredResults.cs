using VoxScheduler.Cmdlets.Output;
using VoxScheduler.Dag;
using VoxScheduler.Execution;
using VoxScheduler.Scheduling;
using VoxScheduler.Storage;
using VoxScheduler.Values;

namespace VoxScheduler.Cmdlets.Commands;

/// <summary>Reads results back from a store as <see cref="VoxResult"/>s (past executions, named nodes, the provider).</summary>
internal static class StoredResults
{
    /// <summary>Values up to this size are decoded into memory; larger ones are exposed as a stream.</summary>
    public const long InlineValueLimit = 64L * 1024 * 1024;

    /// <summary>The stored value of a node: decoded, or a lazy stream for large bytes; null when absent.</summary>
    public static async Task<(StorageMetadata Metadata, object? Value, Func<object>? Large)?> ReadAsync(IResultStore store, NodeId nodeId, CancellationToken cancellationToken)
    {
        var metadata = await store.GetMetadataAsync(nodeId, cancellationToken).ConfigureAwait(false);
        if (metadata is null) return null;
        if (metadata.DataType == DataType.LargeObject || metadata.Size > InlineValueLimit)
        {
            return (metadata, null, VoxStoredImage.Opener(store, nodeId, metadata.Size));
        }

        var bytes = await store.RetrieveAsync(nodeId, cancellationToken).ConfigureAwait(false);
        return bytes is null ? null : (metadata, ValueCodec.Decode(bytes), null);
    }

    /// <summary>
    /// A named node of an execution as a result: its stored value when present, else the failure
    /// recorded in the history, else Pending (still running) or Failed (no result and no record).
    /// </summary>
    public static async Task<VoxResult> ResultAsync(IResultStore store, string executionId, string name, NodeId nodeId, GoalKind kind,
        ExecutionStatus executionStatus, IReadOnlyDictionary<NodeId, NodeHistoryEntry>? history, string? source,
        IReadOnlyDictionary<NodeId, object?>? constants, CancellationToken cancellationToken)
    {
        var executionRunning = executionStatus is ExecutionStatus.Pending or ExecutionStatus.Running;
        if (constants is not null && constants.TryGetValue(nodeId, out var constant))
        {
            // Constants are part of the program, never stored: their value is known.
            return new VoxResult
            {
                Goal = name, NodeId = nodeId.ToString(), Value = constant, Status = NodeStatus.Completed,
                ExecutionId = executionId, Kind = kind, Source = source,
            };
        }

        var stored = await ReadAsync(store, nodeId, cancellationToken).ConfigureAwait(false);
        if (stored is { } s)
        {
            return new VoxResult
            {
                Goal = name,
                NodeId = nodeId.ToString(),
                Value = s.Value,
                LargeValue = s.Large,
                Source = source,
                DataType = s.Metadata.DataType,
                Size = s.Metadata.Size,
                Status = s.Metadata.ExecutionId is null || s.Metadata.ExecutionId == executionId ? NodeStatus.Completed : NodeStatus.Cached,
                ExecutionId = executionId,
                Kind = kind,
            };
        }

        NodeHistoryEntry? entry = null;
        history?.TryGetValue(nodeId, out entry);
        // Without a result or a recorded failure, the execution's own end says why: it was
        // interrupted or cancelled before the node ran, or (completed) the node needed no result
        // of its own (a constant, or a node no goal needed).
        var (status, why) = entry is not null && Enum.TryParse<NodeStatus>(entry.Status, true, out var st) ? (st, entry.Error)
            : executionStatus switch
            {
                ExecutionStatus.Pending or ExecutionStatus.Running => (NodeStatus.Pending, string.Empty),
                ExecutionStatus.Interrupted => (NodeStatus.Interrupted, "The execution was interrupted (its process ended) before this node ran; submit it again to resume."),
                ExecutionStatus.Cancelled => (NodeStatus.Cancelled, "The execution was stopped before this node ran; submit it again to resume."),
                ExecutionStatus.Completed => (NodeStatus.Skipped, "Nothing is stored for this node: a constant (its value is in the program) or a node no goal needed."),
                _ => (NodeStatus.Failed, "No result is stored for this node."),
            };
        return new VoxResult
        {
            Goal = name,
            NodeId = nodeId.ToString(),
            Status = status,
            Error = why ?? string.Empty,
            ExecutionId = executionId,
            Source = source,
            Kind = kind,
        };
    }

    /// <summary>The last history entry of each node of an execution.</summary>
    public static async Task<IReadOnlyDictionary<NodeId, NodeHistoryEntry>> HistoryAsync(IResultStore store, string executionId, CancellationToken cancellationToken)
    {
        var map = new Dictionary<NodeId, NodeHistoryEntry>();
        await foreach (var entry in store.ListNodeHistoryAsync(executionId, cancellationToken).ConfigureAwait(false))
        {
            map[entry.NodeId] = entry;
        }

        return map;
    }
}
