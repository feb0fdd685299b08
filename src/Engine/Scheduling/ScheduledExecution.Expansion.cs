using System.Diagnostics;
using VoxScheduler.Dag;
using VoxScheduler.Operations;

namespace VoxScheduler.Scheduling;

/// <summary>
/// Expansion: an operation returned a fragment whose root's value becomes its own. The fragment
/// is spliced into the running plan: its nodes that already exist in the plan (same content id,
/// value still obtainable) are shared, External nodes resolve to plan nodes or the store,
/// stored nodes become Cached, the rest become new pending nodes. The expanding node then
/// waits for the root like any dependent (a Forward node) and takes its value. A root that
/// expands again continues the same way, so a huge loop unfolds a chunk at a time. This file is
/// the splice under the lock; <see cref="ExpansionPreparer"/> does the work before it, outside.
/// </summary>
internal sealed partial class ScheduledExecution
{
    /// <summary>
    /// For each fragment node, a plan node with the same id whose value can still be had, or -1,
    /// and the plan's size at that moment (one lock round trip).
    /// </summary>
    internal (int[] PlanIndex, int Planned) FindUsable(IReadOnlyList<DagNode> nodes)
    {
        var planIndex = new int[nodes.Count];
        lock (_gate)
        {
            for (var f = 0; f < nodes.Count; f++) planIndex[f] = FindUsableLocked(nodes[f].Id);
            return (planIndex, _plan.Count);
        }
    }

    /// <summary>A plan node with this id whose value can still be had, or -1.</summary>
    private int FindUsableLocked(NodeId id)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread);
        var plan = _plan;
        var p = plan.Find(id);
        if (p < 0) return -1;
        switch (plan.State[p])
        {
            case NodeState.NotNeeded:
            case NodeState.Cancelled:
                return -1;
            case NodeState.Completed:
            case NodeState.Cached:
                var obtainable = plan.Values[p] is not null || plan.Defs[p].Kind == NodeKind.Constant
                    || (plan.Flags[p] & NodeFlags.InStore) != 0
                    || _store is not null && (plan.Flags[p] & NodeFlags.Volatile) == 0;
                return obtainable ? p : -1;
            default:
                return p;
        }
    }

    /// <summary>
    /// The node budget, checked again under the lock: expansions prepared concurrently each passed
    /// the preparer's check against the plan as it was then. Cheap when the plan plus what the
    /// fragment could add fits; otherwise counts exactly what it would add now.
    /// </summary>
    private BudgetExceededException? OverBudgetLocked(int n, PreparedExpansion prepared)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread);
        var budget = Config.MaxNodes;
        var planned = _plan.Count;
        if ((long)planned + prepared.Added <= budget) return null;
        var added = 0;
        foreach (var node in prepared.Fragment.Nodes) if (FindUsableLocked(node.Id) < 0) added++;
        return (long)planned + added <= budget ? null : ExpansionPreparer.OverBudget(_plan.Defs[n].Id, added, planned, budget);
    }

    private void ApplyExpansionLocked(ref PostActions post, int n, PreparedExpansion prepared, InFlightEntry? owned)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread);
        var plan = _plan;
        if (prepared.Problem is { } problem)
        {
            if (owned is not null) post.EndEntry(owned, false, null);
            OnTryFailedLocked(ref post, n, problem);
            return;
        }

        var nodes = prepared.Fragment.Nodes;
        if (OverBudgetLocked(n, prepared) is { } over)
        {
            if (owned is not null) post.EndEntry(owned, false, null);
            OnTryFailedLocked(ref post, n, over);
            return;
        }

        var map = new int[nodes.Count];
        Array.Fill(map, -1);
        var needed = new bool[nodes.Count];
        needed[prepared.Root] = true;
        string? missing = null;

        // Top-down: decide which fragment nodes are needed; shared and stored nodes cut the descent.
        for (var f = nodes.Count - 1; f >= 0; f--)
        {
            if (!needed[f]) continue;
            var node = nodes[f];
            var existing = FindUsableLocked(node.Id);
            if (existing >= 0)
            {
                map[f] = existing;
                continue;
            }

            var stored = prepared.Stored?[f] == true;
            switch (node.Kind)
            {
                case NodeKind.External:
                    if (stored) map[f] = AddCachedLocked(node, null, prepared.Volatile[f]);
                    else missing ??= $"The expansion refers to node {node.Id}, which is neither in the plan nor in the store.";
                    continue;
                case NodeKind.Constant:
                    map[f] = plan.Add(node, null, [], NodeState.Completed, NodeFlags.None);
                    _completed++;
                    _total++;
                    continue;
            }

            if (stored)
            {
                map[f] = AddCachedLocked(node, prepared.Ops[f], false);
                continue;
            }

            foreach (var a in node.Arguments) needed[a] = true;
        }

        if (missing is not null)
        {
            if (owned is not null) post.EndEntry(owned, false, null);
            OnTryFailedLocked(ref post, n, new ValidationException(missing, "MissingDependency"));
            return;
        }

        // Bottom-up: add the new operation nodes with their Kahn counters. Ready ones are pushed at
        // the end in reverse, so the fragment's first nodes run first: a loop's items run before
        // its continuation expands the next chunk, which keeps the plan one chunk ahead.
        var ready = new List<int>();
        for (var f = 0; f < nodes.Count; f++)
        {
            if (!needed[f] || map[f] >= 0) continue;
            var node = nodes[f];
            var args = new int[node.Arguments.Length];
            for (var i = 0; i < args.Length; i++) args[i] = map[node.Arguments[i]];
            var flags = prepared.Volatile[f] ? NodeFlags.Volatile : NodeFlags.None;
            var id = plan.Add(node, prepared.Ops[f], args, NodeState.Pending, flags);
            map[f] = id;
            _total++;
            _unfinished++;
            AttachLocked(ref post, id, args, ready);
        }

        for (var i = ready.Count - 1; i >= 0; i--) _ready.Push(ready[i]);

        // The expanding node now forwards the root's value.
        var root = map[prepared.Root];
        if (owned is not null) (_openEntries ??= [])[n] = owned;
        ReleaseArgumentsLocked(n);
        plan.Flags[n] |= NodeFlags.Forward;
        plan.Args[n] = [root];
        plan.State[n] = NodeState.Pending;
        AttachLocked(ref post, n, plan.Args[n], null);
    }

    private int AddCachedLocked(DagNode node, Operation? op, bool isVolatile)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread);
        var p = _plan.Add(node, op, [], NodeState.Cached, NodeFlags.InStore | (isVolatile ? NodeFlags.Volatile : NodeFlags.None));
        _cached++;
        _total++;
        return p;
    }

    /// <summary>Wires a pending node to its arguments: edges, references, its counter; ready or skipped at once when it can be.</summary>
    private void AttachLocked(ref PostActions post, int node, int[] args, List<int>? ready)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread);
        var plan = _plan;
        var cause = -1;
        foreach (var a in args)
        {
            plan.AddEdge(a, node);
            plan.Refs[a]++;
            switch (plan.State[a])
            {
                case NodeState.Completed:
                case NodeState.Cached:
                    break;
                case NodeState.Failed:
                    cause = a;
                    break;
                case NodeState.Skipped:
                    cause = _skipReason is not null && _skipReason.TryGetValue(a, out var c) ? c : a;
                    break;
                default:
                    plan.Pending[node]++;
                    break;
            }
        }

        if (cause >= 0)
        {
            plan.State[node] = NodeState.Skipped;
            _unfinished--;
            _skipped++;
            (_skipReason ??= [])[node] = cause;
            ReleaseArgumentsLocked(node);
            if ((plan.Flags[node] & NodeFlags.Goal) != 0) AddGoalLocked(ref post, node, NodeState.Skipped, null, TimeSpan.Zero);
            EndOpenEntryLocked(ref post, node);
            SkipDownstreamLocked(ref post, node, cause);
        }
        else if (plan.Pending[node] == 0)
        {
            plan.State[node] = NodeState.Ready;
            if (ready is null) _ready.Push(node);
            else ready.Add(node);
        }
    }
}
