using VoxScheduler.Dag;

namespace VoxScheduler.Cmdlets.Completion;

/// <summary>Completes goal names (print labels, save paths, goal nodes) of this process's executions.</summary>
public sealed class GoalCompleter : ExecutionNameCompleter
{
    private protected override IEnumerable<string> NamesOf(DagDefinition dag) => dag.Goals.Select(g => g.Name);
}
