using VoxScheduler.Dag;
using VoxScheduler.Execution;
using VoxScheduler.Operations;
using VoxScheduler.Values;

namespace VoxScheduler.Scheduling;

/// <summary>
/// Recovery of stored results that fail verification. The store reports a damaged result as a
/// <see cref="StorageCorruptionException"/> and quarantines it; the execution then treats the
/// result as missing and recomputes the node from its arguments instead of failing. The nodes
/// recovered here were Cached (or not needed) in the plan and keep that state: only their value
/// is produced, outside the Kahn bookkeeping and outside the execution's lock, and stored again
/// so the store heals.
/// </summary>
internal sealed class CorruptResultRecovery(ScheduledExecution execution)
{
    /// <summary>True when a failed read means "recompute it": the bytes were damaged, or they vanished after planning.</summary>
    public static bool IsRecoverableReadFailure(Exception e) => e is StorageCorruptionException or StoredResultMissingException;

    /// <summary>
    /// Computes node <paramref name="node"/> again. Its arguments come from memory, the constant,
    /// or the store; an argument that is missing or damaged in the store is recomputed the same
    /// way (an explicit stack: no recursion whose depth the DAG controls).
    /// </summary>
    /// <exception cref="StorageException">The node cannot be recomputed here (an external reference, an expansion or a streamed result).</exception>
    public async ValueTask<object?> RecoverAsync(int node, CancellationToken cancellationToken)
    {
        var plan = execution.Plan;
        var values = new Dictionary<int, object?>();
        var stack = new Stack<(int Node, bool ArgumentsReady)>();
        stack.Push((node, false));
        while (stack.Count > 0)
        {
            var (x, argumentsReady) = stack.Pop();
            if (values.ContainsKey(x)) continue;
            var def = plan.Defs[x];
            if (def.Kind == NodeKind.Constant)
            {
                values[x] = def.Value;
                continue;
            }

            if (!argumentsReady)
            {
                if (x != node && await TryObtainAsync(plan, x, cancellationToken).ConfigureAwait(false) is { Found: true } obtained)
                {
                    values[x] = obtained.Value;
                    continue;
                }

                if (def.Kind == NodeKind.External)
                {
                    throw new StorageException("A referenced result is damaged or missing in the store and cannot be recomputed here.", def.Id);
                }

                stack.Push((x, true));
                foreach (var a in plan.Args[x])
                {
                    if (!values.ContainsKey(a)) stack.Push((a, false));
                }

                continue;
            }

            var op = plan.Ops[x] ?? throw new StorageException($"The damaged result of '{def.Operator}' cannot be recomputed: the operation is unknown.", def.Id);
            var args = plan.Args[x].Select(a => values[a]).ToArray();
            var result = await NodeExecutor.ExecuteAsync(op, def.Id, args, def.Attributes, execution.Environment, cancellationToken, null, 1).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                throw result.Error ?? new NodeExecutionException("Recomputing a damaged stored result failed.", def.Id, op.Name);
            }

            if (result.Result.Kind != OperationResultKind.Value)
            {
                throw new StorageException($"The damaged result of '{op.Name}' cannot be recomputed in place (it expands or streams); submit the DAG again.", def.Id);
            }

            values[x] = result.Result.Value;
            await HealAsync(plan, x, op, result.Result.Value, cancellationToken).ConfigureAwait(false);
        }

        return values[node];
    }

    /// <summary>The value of a node from memory or from the store; not found when absent or damaged.</summary>
    private async ValueTask<(bool Found, object? Value)> TryObtainAsync(ExecutionPlan plan, int x, CancellationToken cancellationToken)
    {
        var inMemory = execution.InMemoryValue(x);
        if (inMemory is not null) return (true, ReferenceEquals(inMemory, ExecutionPlan.NullValue) ? null : inMemory);
        if (execution.Store is null) return (false, null);
        try
        {
            var bytes = await execution.Store.RetrieveAsync(plan.Defs[x].Id, cancellationToken).ConfigureAwait(false);
            return bytes is null ? (false, null) : (true, ValueCodec.Decode(bytes));
        }
        catch (Exception e) when (IsRecoverableReadFailure(e))
        {
            return (false, null);
        }
    }

    /// <summary>Stores a recomputed value again (best effort: the value is already in hand).</summary>
    private async ValueTask HealAsync(ExecutionPlan plan, int x, Operation op, object? value, CancellationToken cancellationToken)
    {
        if (execution.Store is null || !op.IsCacheable || (plan.Flags[x] & NodeFlags.Volatile) != 0) return;
        var def = plan.Defs[x];
        try
        {
            var bytes = ValueCodec.Encode(value);
            var metadata = Storage.StorageMetadata.ForResult(def.Id, ValueCodec.Classify(value, execution.Config.StreamingThreshold), bytes.LongLength, op.Name,
                execution.DagId, execution.ExecutionId, execution.Time.GetUtcNow());
            await execution.Store.StoreAsync(def.Id, bytes, metadata, execution.Config.WriteOptions, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is StorageException or ArgumentException)
        {
            // The store stays without it; the next run recomputes it again.
        }
    }
}
