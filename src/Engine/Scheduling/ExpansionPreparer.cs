using VoxScheduler.Dag;
using VoxScheduler.Operations;

namespace VoxScheduler.Scheduling;

/// <summary>
/// Prepares an expansion outside the execution's lock, so the locked splice
/// (<c>ApplyExpansionLocked</c>) only wires nodes: resolves and validates the fragment's
/// operations, computes which of its nodes are volatile, and asks the store once which of its
/// nodes are already stored.
/// </summary>
internal sealed class ExpansionPreparer(ScheduledExecution execution)
{
    /// <summary>Outside the lock: resolve and validate the fragment's operations, compute volatility.</summary>
    public PreparedExpansion Prepare(int n, OperationResult result)
    {
        var fragment = result.Fragment!;
        var prepared = new PreparedExpansion(fragment, result.Root);
        var problems = new List<ValidationProblem>();
        var nodes = fragment.Nodes;
        var (planIndex, planned) = execution.FindUsable(nodes);
        var plan = execution.Plan;
        var budget = execution.Config.MaxNodes;
        var added = 0;
        foreach (var p in planIndex) if (p < 0) added++;
        prepared.Added = added;
        if ((long)planned + added > budget)
        {
            // Checked before anything is resolved: a loop over a huge run-time range stops here
            // instead of growing the plan until the process runs out of memory. Expansions prepared
            // at the same time each pass this check against the same plan, so the splice checks
            // again under the lock (ScheduledExecution.ApplyExpansionLocked).
            prepared.Problem = OverBudget(plan.Defs[n].Id, added, planned, budget);
            return prepared;
        }

        for (var f = 0; f < nodes.Count; f++)
        {
            var node = nodes[f];
            if (planIndex[f] >= 0)
            {
                prepared.Volatile[f] = (plan.Flags[planIndex[f]] & NodeFlags.Volatile) != 0;
                continue;
            }

            if (node.Kind != NodeKind.Operation) continue;
            if (!execution.Operations.TryGet(node.Operator, out var op))
            {
                problems.Add(new("UnknownOperation", $"The expansion of node {plan.Defs[n].Id.ToShortString()} uses the unknown operation '{node.Operator}'."));
                continue;
            }

            if (!op.AcceptsArity(node.Arguments.Length) || op.Revision != node.Revision)
            {
                problems.Add(new("WrongArity", $"The expansion of node {plan.Defs[n].Id.ToShortString()} applies '{op.Name}' (revision {op.Revision}, arity {op.ArityText}) to {node.Arguments.Length} argument(s) at revision {node.Revision}."));
                continue;
            }

            prepared.Ops[f] = op;
            var isVolatile = !op.IsCacheable;
            foreach (var a in node.Arguments) isVolatile |= prepared.Volatile[a];
            prepared.Volatile[f] = isVolatile;
        }

        if (problems.Count > 0) prepared.Problem = new ValidationException(problems);
        return prepared;
    }

    /// <summary>The error of an expansion that would take the execution past its node budget.</summary>
    public static BudgetExceededException OverBudget(NodeId expanding, int added, int planned, int budget) =>
        new(BudgetExceededException.ExecutionNodes, budget, new ValidationProblem(
            "ExecutionNodeBudget",
            $"The expansion of node {expanding.ToShortString()} adds {added} nodes to the {planned} of the execution, more than its budget "
            + $"{BudgetExceededException.ExecutionNodes} = {budget}.",
            Node: expanding.ToShortString()));

    /// <summary>Outside the lock: one batched existence query for the fragment's cacheable nodes.</summary>
    public async ValueTask CheckStoreAsync(PreparedExpansion prepared)
    {
        if (prepared.Problem is not null || execution.Store is null) return;
        var nodes = prepared.Fragment.Nodes;
        var ids = new List<NodeId>();
        var which = new List<int>();
        for (var f = 0; f < nodes.Count; f++)
        {
            if (nodes[f].Kind == NodeKind.Constant || prepared.Volatile[f]) continue;
            ids.Add(nodes[f].Id);
            which.Add(f);
        }

        if (ids.Count == 0) return;
        // Pinned first, then any eviction already running is waited for: none can remove what the lookup finds.
        execution.PinForExpansion(ids);
        await execution.EvictionIdle.WaitAsync(execution.Token).ConfigureAwait(false);
        var found = await execution.Store.ExistsManyAsync(ids, execution.Token).ConfigureAwait(false);
        var stored = new bool[nodes.Count];
        for (var i = 0; i < which.Count; i++) stored[which[i]] = found[i];
        prepared.Stored = stored;
    }
}
