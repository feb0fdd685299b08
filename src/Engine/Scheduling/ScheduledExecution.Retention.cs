using VoxScheduler.Dag;

namespace VoxScheduler.Scheduling;

/// <summary>What a running execution still needs from its store, so a retention policy never evicts it from under it.</summary>
internal sealed partial class ScheduledExecution
{
    // Ids of expansion fragments, from when they are made (IFragmentPins) or at the latest looked up
    // in the store, kept until the execution ends (guarded by _gate).
    private HashSet<NodeId>? _expansionPins;

    /// <summary>The eviction running on this execution's store now, or a completed task.</summary>
    internal Task EvictionIdle => _slot.EvictionIdle;

    /// <inheritdoc />
    /// <remarks>Called by the operation's thread while the expanding node runs (before the fragment reaches the scheduler).</remarks>
    public void PinFragment(DagDefinition fragment)
    {
        if (_store is null) return; // nothing to evict
        var ids = new List<NodeId>(fragment.Nodes.Count);
        foreach (var node in fragment.Nodes) if (node.Kind != NodeKind.Constant) ids.Add(node.Id);
        lock (_gate)
        {
            if (!_finishing) (_expansionPins ??= []).UnionWith(ids);
        }
    }

    /// <summary>
    /// Keeps an expansion's ids before it looks them up in the store: an eviction that begins
    /// later keeps them; one already running is waited for by the caller.
    /// </summary>
    internal void PinForExpansion(List<NodeId> ids)
    {
        lock (_gate) (_expansionPins ??= []).UnionWith(ids);
    }

    /// <summary>
    /// Adds the ids this execution may still read from the store: before its plan exists, every
    /// node of its DAG (it is about to look them up); then every node not yet finished, every
    /// finished one a consumer that has not run still needs, and every goal.
    /// </summary>
    internal void CollectNeeded(HashSet<NodeId> needed)
    {
        lock (_gate)
        {
            if (_finishing) return; // finished (or finishing): it reads nothing more from the store
            if (!_started || _plan is null)
            {
                foreach (var node in Dag.Nodes) needed.Add(node.Id);
                return;
            }

            if (_finishing) return;
            if (_expansionPins is not null) needed.UnionWith(_expansionPins);
            var plan = _plan;
            for (var i = 0; i < plan.Count; i++)
            {
                var state = plan.State[i];
                if (state == NodeState.NotNeeded) continue;
                var finished = state is NodeState.Completed or NodeState.Cached or NodeState.Failed or NodeState.Skipped or NodeState.Cancelled;
                if (!finished || plan.Refs[i] > 0 || (plan.Flags[i] & NodeFlags.Goal) != 0) needed.Add(plan.Defs[i].Id);
            }
        }
    }
}
