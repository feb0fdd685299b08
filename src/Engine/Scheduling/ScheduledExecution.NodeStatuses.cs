using VoxScheduler.Execution;

namespace VoxScheduler.Scheduling;

/// <summary>The per-node snapshot front ends draw (Show-VoxDag): the plan's internal states mapped to <see cref="NodeStatus"/>.</summary>
internal sealed partial class ScheduledExecution
{
    // Set when the finished execution dropped its plan: each DAG node's NodeStatus + 1, or 0 (not needed). Guarded by _gate.
    private byte[]? _finalStatuses;

    public IReadOnlyList<NodeStatus?> GetNodeStatuses()
    {
        var result = new NodeStatus?[_nodeCount];
        lock (_gate)
        {
            if (_finalStatuses is { } final)
            {
                for (var i = 0; i < result.Length; i++) result[i] = final[i] == 0 ? null : (NodeStatus)(final[i] - 1);
                return result;
            }

            // Before the plan exists (store still opening, pruning) every node is still to do.
            var states = _plan?.State;
            for (var i = 0; i < result.Length; i++)
            {
                result[i] = states is null || i >= states.Length ? NodeStatus.Pending : Map(states[i]);
            }
        }

        return result;
    }

    /// <summary>
    /// A finished execution lets go of its plan (DAG arrays, operations, values still held) and of
    /// its DAG: what it keeps is its summary (counts, status, errors), its goal results, one byte per
    /// DAG node for <see cref="GetNodeStatuses"/>, and the compact DAG (<see cref="RetainedDag"/>);
    /// reading results later goes through the goals and the store, whose history has the node
    /// names. Values the plan still held go back to their pools. Only once it has finished and
    /// nothing of it runs any more: a forced finish with nodes still in flight (waiting on another
    /// execution computing the same node, or a late worker) drops them when the last one ends.
    /// </summary>
    private void DropPlanLocked()
    {
        System.Diagnostics.Debug.Assert(_gate.IsHeldByCurrentThread);
        var plan = _plan;
        if (plan is null || _retainedDag is null || _running > 0 || _background > 0 || _detached > 0 || _waitingRetry > 0 || _waitingShared > 0) return;
        var final = new byte[_nodeCount];
        for (var i = 0; i < final.Length && i < plan.Count; i++) final[i] = Map(plan.State[i]) is { } status ? (byte)((int)status + 1) : (byte)0;
        for (var i = 0; i < plan.Count; i++)
        {
            if (plan.Values[i] is { } value)
            {
                plan.Values[i] = null;
                Values.PooledValues.Release(value);
            }
        }

        _finalStatuses = final;
        _plan = null!;
        Volatile.Write(ref _dag, null);
        _initialOps = [];
        _caseOf.Clear();
        _cases.Clear();
        _held.Clear();
        _begun.Clear();
        _outputSizes.Clear();
        _expansionPins = null;
        _openEntries = null;
        _published = null;
        _skipReason = null;
        _cachedValues = null;
        _cacheBuffer = [];
    }

    /// <summary>What the finished execution keeps of its DAG, for the retention budget: the compact copy and a status byte per node.</summary>
    internal long RetainedDagBytes
    {
        get
        {
            var retained = Volatile.Read(ref _retainedDag);
            return (retained?.Bytes ?? _nodeCount * DynamicScheduler.RetainedBytesPerNode) + _nodeCount;
        }
    }

    private static NodeStatus? Map(NodeState state) => state switch
    {
        NodeState.NotNeeded => null,
        NodeState.Pending => NodeStatus.Pending,
        // Waiting for a retry timer or for another execution computing the same node: not finished, not on a worker.
        NodeState.Waiting => NodeStatus.Pending,
        NodeState.Ready => NodeStatus.Ready,
        NodeState.Running => NodeStatus.Running,
        NodeState.Completed => NodeStatus.Completed,
        NodeState.Cached => NodeStatus.Cached,
        NodeState.Failed => NodeStatus.Failed,
        NodeState.Skipped => NodeStatus.Skipped,
        _ => NodeStatus.Cancelled,
    };
}
