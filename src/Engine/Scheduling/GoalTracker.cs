using VoxScheduler.Dag;
using VoxScheduler.Execution;

namespace VoxScheduler.Scheduling;

/// <summary>The goals of an execution in source order, with their results as they finish. Thread-safe.</summary>
internal sealed class GoalTracker
{
    private readonly GoalResult[] _results;
    private readonly Dictionary<int, int[]> _byNode;

    public GoalTracker(DagDefinition dag)
    {
        _results = new GoalResult[dag.Goals.Count];
        var byNode = new Dictionary<int, List<int>>();
        for (var i = 0; i < dag.Goals.Count; i++)
        {
            var goal = dag.Goals[i];
            _results[i] = new GoalResult
            {
                Name = goal.Name,
                Kind = goal.Kind,
                Ordinal = i,
                NodeId = (uint)goal.Node < (uint)dag.Nodes.Count ? dag.Nodes[goal.Node].Id : NodeId.Empty,
                Status = NodeStatus.Pending,
            };
            if (!byNode.TryGetValue(goal.Node, out var list)) byNode[goal.Node] = list = [];
            list.Add(i);
        }

        _byNode = byNode.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray());
    }

    public int Count => _results.Length;

    /// <summary>Indices of the goals reporting <paramref name="node"/> (a node may be printed twice).</summary>
    public int[] GoalsOf(int node) => _byNode.TryGetValue(node, out var goals) ? goals : [];

    public GoalResult this[int goal]
    {
        get
        {
            lock (_results) return _results[goal];
        }
    }

    public void Set(int goal, GoalResult result)
    {
        lock (_results) _results[goal] = result;
    }

    public GoalResult[] Snapshot()
    {
        lock (_results) return (GoalResult[])_results.Clone();
    }

    /// <summary>Marks every goal that has not finished as cancelled (the execution ended without it).</summary>
    public void CancelUnfinished()
    {
        lock (_results)
        {
            for (var i = 0; i < _results.Length; i++)
            {
                if (!_results[i].IsFinished) _results[i] = _results[i] with { Status = NodeStatus.Cancelled };
            }
        }
    }

    /// <summary>Marks every goal that has not finished as interrupted, with why (its host stopped the execution).</summary>
    public void InterruptUnfinished(string reason)
    {
        lock (_results)
        {
            for (var i = 0; i < _results.Length; i++)
            {
                if (!_results[i].IsFinished) _results[i] = _results[i] with { Status = NodeStatus.Interrupted, Error = reason };
            }
        }
    }

    /// <summary>True when some goal did not produce a value.</summary>
    public bool AnyUnsuccessful
    {
        get
        {
            lock (_results) return _results.Any(r => !r.Succeeded);
        }
    }
}
