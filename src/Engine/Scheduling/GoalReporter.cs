using VoxScheduler.Dag;
using VoxScheduler.Execution;
using VoxScheduler.Storage;
using VoxScheduler.Values;

namespace VoxScheduler.Scheduling;

/// <summary>
/// Builds the result of a goal once its node has finished, outside the execution's lock: the
/// value from memory or the store (a damaged stored goal is recomputed through
/// <see cref="CorruptResultRecovery"/>), its size and type, and for a save goal the file written.
/// </summary>
internal sealed class GoalReporter(ScheduledExecution execution, CorruptResultRecovery recovery)
{
    /// <summary>
    /// Constants are never computed, so nothing else stores them; a goal's value must still be in
    /// the store for readers of past executions (Get-VoxResult, the server's history). Storing is
    /// idempotent (content addressing) and, for a value already reported from memory, best effort.
    /// </summary>
    private async ValueTask PersistConstantGoalAsync(DagNode def, object? value)
    {
        if (execution.Store is null) return;
        try
        {
            var data = ValueCodec.Encode(value);
            var metadata = Storage.StorageMetadata.ForResult(def.Id, ValueCodec.Classify(value, execution.Config.StreamingThreshold), data.Length,
                DagBuilder.ConstantOperator, execution.DagId, execution.ExecutionId, execution.Time.GetUtcNow());
            await execution.Store.StoreAsync(def.Id, data, metadata, execution.Config.WriteOptions, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is StorageException or IOException or UnauthorizedAccessException)
        {
            // The goal's value is already known; a store that cannot take it fails the next real write loudly.
        }
    }

    public async ValueTask<GoalResult> BuildAsync(int goal, GoalFinish finish)
    {
        var current = execution.Goals[goal];
        var n = finish.Node;
        var def = execution.Plan.Defs[n];
        switch (finish.State)
        {
            case NodeState.Failed:
                return current with { Status = NodeStatus.Failed, Error = execution.ErrorOf(n) };
            case NodeState.Skipped:
                return current with { Status = NodeStatus.Skipped, Error = execution.SkipReasonOf(n) };
        }

        var status = finish.State == NodeState.Cached ? NodeStatus.Cached : NodeStatus.Completed;
        var dagGoal = execution.Dag.Goals[goal];
        try
        {
            object? value;
            var inMemory = true;
            if (finish.BoxedValue is not null) value = ScheduledExecution.Unbox(finish.BoxedValue);
            else if (def.Kind == NodeKind.Constant)
            {
                value = def.Value;
                await PersistConstantGoalAsync(def, value).ConfigureAwait(false);
            }
            else
            {
                inMemory = false;
                value = null;
            }

            if (!inMemory)
            {
                try
                {
                    return await GoalFromStoreAsync(current with { AllocatedBytes = finish.AllocatedBytes }, dagGoal, def.Id, status, finish.Duration)
                        .ConfigureAwait(false);
                }
                catch (Exception e) when (CorruptResultRecovery.IsRecoverableReadFailure(e))
                {
                    // The stored goal is damaged (and now quarantined): recompute it instead of failing the goal.
                    value = await recovery.RecoverAsync(n, execution.Token).ConfigureAwait(false);
                    status = NodeStatus.Completed;
                }
            }

            var size = ValueCodec.EncodedLength(value);
            var type = ValueCodec.Classify(value, execution.Config.StreamingThreshold);
            string? path = null;
            if (dagGoal.Kind == GoalKind.Save)
            {
                path = SaveGoalWriter.ResolveTarget(dagGoal.Path!, execution.Environment);
                await SaveGoalWriter.WriteAsync(path, value, execution.Token).ConfigureAwait(false);
            }

            return current with
            {
                Status = status, Value = type == DataType.LargeObject ? null : value, DataType = type, Size = size,
                Duration = finish.Duration, AllocatedBytes = status == NodeStatus.Completed ? finish.AllocatedBytes : 0, Path = path,
            };
        }
        catch (Exception e) when (e is not OperationCanceledException || !execution.Token.IsCancellationRequested)
        {
            var message = dagGoal.Kind == GoalKind.Save ? $"save '{dagGoal.Name}' failed: {e.Message}" : e.Message;
            return current with { Status = NodeStatus.Failed, Error = message };
        }
    }

    private async ValueTask<GoalResult> GoalFromStoreAsync(GoalResult current, DagGoal dagGoal, NodeId id, NodeStatus status, TimeSpan duration)
    {
        var store = execution.Store ?? throw new VoxScheduler.StorageException("The goal's value is not in memory and there is no store.", id);
        var metadata = await store.GetMetadataAsync(id, execution.Token).ConfigureAwait(false)
            ?? throw new StoredResultMissingException("The goal's result is missing from the store.", id);
        var large = metadata.DataType == DataType.LargeObject || metadata.Size >= execution.Config.StreamingThreshold;
        if (dagGoal.Kind == GoalKind.Save)
        {
            var path = SaveGoalWriter.ResolveTarget(dagGoal.Path!, execution.Environment);
            if (large)
            {
                await using var stream = await store.OpenReadAsync(id, execution.Token).ConfigureAwait(false)
                    ?? throw new StoredResultMissingException("The goal's result is missing from the store.", id);
                await SaveGoalWriter.WriteFromStreamAsync(path, stream, metadata.Size, execution.Token).ConfigureAwait(false);
                return current with { Status = status, DataType = metadata.DataType, Size = metadata.Size, Duration = duration, Path = path };
            }

            var saved = await LoadAsync(store, id).ConfigureAwait(false);
            await SaveGoalWriter.WriteAsync(path, saved, execution.Token).ConfigureAwait(false);
            return current with { Status = status, Value = saved, DataType = metadata.DataType, Size = metadata.Size, Duration = duration, Path = path };
        }

        var value = large ? null : await LoadAsync(store, id).ConfigureAwait(false);
        return current with { Status = status, Value = value, DataType = metadata.DataType, Size = metadata.Size, Duration = duration };
    }

    private async ValueTask<object?> LoadAsync(IResultStore store, NodeId id)
    {
        var bytes = await store.RetrieveAsync(id, execution.Token).ConfigureAwait(false)
            ?? throw new StoredResultMissingException("The goal's result is missing from the store.", id);
        return ValueCodec.Decode(bytes);
    }
}
