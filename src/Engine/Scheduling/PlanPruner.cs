using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using VoxScheduler.Dag;
using VoxScheduler.Operations;
using VoxScheduler.Storage;

namespace VoxScheduler.Scheduling;

/// <summary>
/// Decides, before anything runs, which nodes of a DAG must run: those reachable from the goals
/// through nodes that are neither constants nor already stored. Stored results become Cached
/// without being loaded, and their own arguments are not needed unless another needed node
/// uses them. Existence is checked in batches: nodes are visited from the last index down (a
/// DAG is topologically ordered, so every dependent is decided before its arguments); a batch
/// speculatively includes the arguments of its own members, so a chain of a million fresh
/// nodes costs a few hundred queries rather than a million. One pass, O(nodes + edges).
/// </summary>
internal static class PlanPruner
{
    public const int BatchSize = 4096;

    /// <summary>Forward pass: a node is volatile when its operation is non-deterministic or any argument is volatile.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static NodeFlags[] ComputeFlags(DagDefinition dag, Operation?[] ops)
    {
        var n = dag.Nodes.Count;
        var flags = new NodeFlags[n];
        for (var i = 0; i < n; i++)
        {
            if (ops[i] is { IsCacheable: false })
            {
                flags[i] = NodeFlags.Volatile;
                continue;
            }

            foreach (var a in ImmutableCollectionsMarshal.AsArray(dag.Nodes[i].Arguments) ?? [])
            {
                if ((flags[a] & NodeFlags.Volatile) != 0)
                {
                    flags[i] = NodeFlags.Volatile;
                    break;
                }
            }
        }

        foreach (var goal in dag.Goals)
        {
            flags[goal.Node] |= NodeFlags.Goal;
        }

        return flags;
    }

    // One pass over every node, once per execution: compiled optimized right away rather than
    // run at tier 0 (a single call never reaches the call count that would tier it up).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PruneInMemory(IReadOnlyList<DagNode> nodes, NodeFlags[] flags, NodeState[] states, bool[] needed, ValueCache? cache, object?[]? cachedValues)
    {
        for (var i = nodes.Count - 1; i >= 0; i--)
        {
            if (!needed[i]) continue;
            object? kept = null;
            if (cache is not null && nodes[i].Kind == NodeKind.Operation && (flags[i] & NodeFlags.Volatile) == 0)
            {
                // Taken now, not looked up later: an eviction in between cannot leave a Cached node without its value.
                kept = cache.TryGet(nodes[i].Id);
                if (kept is not null) cachedValues![i] = kept;
            }

            Resolve(nodes[i], i, exists: kept is not null, states, needed);
        }
    }

    /// <summary>
    /// The initial state of every node: NotNeeded, Pending (must run), Cached (stored),
    /// Completed (constants) or Failed (an external reference missing from the store).
    /// </summary>
    /// <param name="dag">The DAG.</param>
    /// <param name="flags">From <see cref="ComputeFlags"/>.</param>
    /// <param name="store">The store, or null for memory-only executions.</param>
    /// <param name="cancellationToken">Cancels the existence queries.</param>
    /// <param name="cachedValues">Receives, per node index, the values found in <paramref name="cache"/>.</param>
    /// <param name="cache">Without a store: values kept in memory by earlier executions; a node found there is Cached and its value goes to <paramref name="cachedValues"/>.</param>
    public static async ValueTask<NodeState[]> PruneAsync(DagDefinition dag, NodeFlags[] flags, IResultStore? store, CancellationToken cancellationToken,
        ValueCache? cache = null, object?[]? cachedValues = null)
    {
        var nodes = dag.Nodes;
        var n = nodes.Count;
        var states = new NodeState[n];
        var needed = new bool[n];
        foreach (var goal in dag.Goals) needed[goal.Node] = true;

        if (store is null)
        {
            PruneInMemory(nodes, flags, states, needed, cache, cachedValues);
            return states;
        }

        // speculative[i] == batch number: some member of that batch uses node i, so node i may be needed.
        var speculative = new int[n];
        var batch = new List<int>(BatchSize);
        var ids = new List<NodeId>(BatchSize);
        var batchNumber = 0;
        var position = n - 1;
        while (position >= 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            batchNumber++;
            batch.Clear();
            ids.Clear();
            var i = position;
            for (; i >= 0 && batch.Count < BatchSize; i--)
            {
                if (!needed[i] && speculative[i] != batchNumber) continue;
                var node = nodes[i];
                if (node.Kind != NodeKind.Constant && (flags[i] & NodeFlags.Volatile) == 0)
                {
                    batch.Add(i);
                    ids.Add(node.Id);
                }

                foreach (var a in ImmutableCollectionsMarshal.AsArray(node.Arguments) ?? [])
                {
                    speculative[a] = batchNumber;
                }
            }

            var exists = ids.Count > 0 ? await store.ExistsManyAsync(ids, cancellationToken).ConfigureAwait(false) : [];
            // Resolve the scanned range top-down with the answers; batch is in descending order too.
            var k = 0;
            for (var j = position; j > i; j--)
            {
                var inBatch = k < batch.Count && batch[k] == j;
                var found = inBatch && exists[k];
                if (inBatch) k++;
                if (needed[j]) Resolve(nodes[j], j, found, states, needed);
            }

            position = i;
        }

        return states;
    }

    private static void Resolve(DagNode node, int i, bool exists, NodeState[] states, bool[] needed)
    {
        switch (node.Kind)
        {
            case NodeKind.Constant:
                states[i] = NodeState.Completed;
                return;
            case NodeKind.External:
                states[i] = exists ? NodeState.Cached : NodeState.Failed;
                return;
        }

        if (exists)
        {
            states[i] = NodeState.Cached;
            return;
        }

        states[i] = NodeState.Pending;
        foreach (var a in ImmutableCollectionsMarshal.AsArray(node.Arguments) ?? [])
        {
            needed[a] = true;
        }
    }
}
