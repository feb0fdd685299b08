using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using VoxScheduler.Cmdlets.Hosting;
using VoxScheduler.Dag;
using VoxScheduler.Scheduling;

namespace VoxScheduler.Cmdlets.Completion;

/// <summary>
/// Completes the goal names (<c>-Goal</c>) or the named nodes (<c>-Node</c>: node names and goal
/// labels) of the execution the command line names with <c>-ExecutionId</c>/<c>-Id</c>, or of every
/// execution of this process when it names none. Only executions of this process are read: a
/// completer never opens (or creates) a store.
/// </summary>
public abstract class ExecutionNameCompleter : IArgumentCompleter
{
    // A process may hold thousands of executions with thousands of goals: the menu stays short.
    private const int MaxResults = 200;

    /// <summary>The names an execution's DAG offers.</summary>
    private protected abstract IEnumerable<string> NamesOf(DagDefinition dag);

    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        if (!VoxEngineHost.IsStarted) yield break;
        var prefix = wordToComplete.Trim('\'', '"');
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var execution in Executions(fakeBoundParameters))
        {
            foreach (var name in NamesOf(execution.Dag))
            {
                if (!name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) || !seen.Add(name)) continue;
                yield return new CompletionResult(ExecutionCompleter.Quote(name), name, CompletionResultType.ParameterValue,
                    $"{name} ({execution.Name ?? execution.ExecutionId})");
                if (seen.Count >= MaxResults) yield break;
            }
        }
    }

    private static IEnumerable<IExecution> Executions(IDictionary bound)
    {
        var named = bound["ExecutionId"] ?? bound["Id"];
        var ids = named switch
        {
            null => null,
            string s => [s],
            IEnumerable e => e.Cast<object?>().Select(o => o?.ToString()).OfType<string>().ToList(),
            _ => [named.ToString() ?? string.Empty],
        };
        if (ids is null) return VoxEngineHost.Scheduler.ListExecutions();
        return ids.Select(VoxEngineHost.Scheduler.Find).OfType<IExecution>();
    }
}
