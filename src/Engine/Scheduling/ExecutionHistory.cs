using VoxScheduler.Dag;
using VoxScheduler.Storage;

namespace VoxScheduler.Scheduling;

/// <summary>What an execution writes to the store's history: its record (from counters copied under its lock) and its named nodes.</summary>
internal static class ExecutionHistory
{
    /// <summary>The history record of an execution in the given state.</summary>
    public static ExecutionRecord Record(ScheduledExecution execution, string status, ExecutionCounts counts, DateTimeOffset? completedAt, string? error,
        string? source) => new()
    {
        ExecutionId = execution.ExecutionId,
        Name = execution.Name,
        DagId = execution.DagId,
        Status = status,
        SubmittedAt = execution.SubmittedAt,
        CompletedAt = completedAt,
        TotalNodes = counts.Total,
        CompletedNodes = counts.Completed,
        CachedNodes = counts.Cached,
        FailedNodes = counts.Failed,
        SkippedNodes = counts.Skipped,
        Source = source,
        Error = error,
        Owner = ExecutionOwner.Current,
        Coordinator = execution.Coordinator,
        MemoryUsageBytes = counts.AllocatedBytes,
    };

    /// <summary>The goals (first, in order) and the other labelled nodes of the DAG, as the history names them.</summary>
    public static List<ExecutionNodeName> NamedNodes(DagDefinition dag, string executionId)
    {
        var names = new List<ExecutionNodeName>(dag.Goals.Count + dag.Labels.Count);
        var ordinal = 0;
        foreach (var goal in dag.Goals)
        {
            names.Add(new ExecutionNodeName(executionId, goal.Name, dag.Nodes[goal.Node].Id, true, ordinal++));
        }

        var goalNames = new HashSet<string>(dag.Goals.Select(g => g.Name), StringComparer.Ordinal);
        foreach (var (label, node) in dag.Labels.OrderBy(kv => kv.Value))
        {
            if (goalNames.Contains(label)) continue;
            names.Add(new ExecutionNodeName(executionId, label, dag.Nodes[node].Id, false, ordinal++));
        }

        return names;
    }
}
