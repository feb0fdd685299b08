using VoxScheduler.Dag;

namespace VoxScheduler.Cmdlets.Completion;

/// <summary>Completes the named nodes (node names and goal labels) of this process's executions.</summary>
public sealed class NodeNameCompleter : ExecutionNameCompleter
{
    private protected override IEnumerable<string> NamesOf(DagDefinition dag) =>
        dag.Labels.Keys.Order(StringComparer.Ordinal).Concat(dag.Goals.Select(g => g.Name));
}
