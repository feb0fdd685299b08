using System.Management.Automation;
using VoxScheduler.Cmdlets.Completion;
using VoxScheduler.Cmdlets.Hosting;
using VoxScheduler.Cmdlets.Output;
using VoxScheduler.Dag;
using VoxScheduler.Scheduling;
using VoxScheduler.Storage;

namespace VoxScheduler.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Gets the results of executions: finished goals, named nodes (-Node, -All), or with -Wait each goal as it completes.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "VoxResult", DefaultParameterSetName = IdSet)]
[OutputType(typeof(VoxResult))]
public sealed class GetVoxResultCommand : VoxExecutionCmdlet
{
    /// <summary>Only these goals (labels or save paths; wildcards allowed).</summary>
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(GoalCompleter))]
    public string[]? Goal { get; set; }

    /// <summary>Named nodes (user node names or goal labels) or node ids, read from the store.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(NodeNameCompleter))]
    public string[]? Node { get; set; }

    /// <summary>Every named node of the execution, not only goals.</summary>
    [Parameter]
    public SwitchParameter All { get; set; }

    /// <summary>Streams goals as they complete until the execution ends (Ctrl+C stops waiting, not the execution).</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var patterns = Goal?.Select(g => WildcardPattern.Get(g, WildcardOptions.IgnoreCase)).ToList();
        bool Include(string name) => patterns is null || patterns.Any(p => p.IsMatch(name));
        foreach (var execution in SelectedExecutions())
        {
            if (execution.Execution is { } live)
            {
                Live(live, execution, Include);
            }
            else
            {
                Past(execution, Include);
            }
        }
    }

    private void Live(IExecution live, VoxExecution execution, Func<string, bool> include)
    {
        var wantGoals = Node is null;
        if (wantGoals && Wait)
        {
            RunAndDrain((sink, token) => ExecutionStreaming.StreamResultsAsync(live, sink, g => include(g.Name), showProgress: true, -1, token));
        }
        else if (wantGoals)
        {
            foreach (var goal in live.GetGoalResults())
            {
                if (!goal.IsFinished || !include(goal.Name)) continue;
                var result = ExecutionStreaming.ToResult(goal, live.ExecutionId, live.Store);
                WriteObject(result);
                if (VoxErrors.IsGoalFailure(result)) WriteError(VoxErrors.GoalFailure(result));
            }
        }
        else if (Wait)
        {
            Block(live.Completion);
        }

        if (!All && Node is null) return;
        if (live.Store is not { } store)
        {
            Error(VoxErrors.ResultNotFound, ErrorCategory.ObjectNotFound, execution, "The execution keeps no store, so only its goals can be read.");
            return;
        }

        // Names are the DAG's labels (user node names) and its goals (program labels, save paths).
        var goalNames = live.Dag.Goals.Select(g => g.Name).ToHashSet(StringComparer.Ordinal);
        var names = live.Dag.Labels
            .Where(l => Node is not null || !goalNames.Contains(l.Key))
            .Select(l => (Name: l.Key, Id: live.Dag.Nodes[l.Value].Id, Kind: GoalKind.Node))
            .ToList();
        if (Node is not null)
        {
            names.AddRange(live.Dag.Goals.Select(g => (g.Name, live.Dag.Nodes[g.Node].Id, g.Kind)));
        }

        EmitNamed(store, live.ExecutionId, names, live.Status, execution.Source, Constants(live));
    }

    private void Past(VoxExecution execution, Func<string, bool> include)
    {
        var store = OpenExistingStore(execution.Store ?? VoxEngineHost.DefaultStore);
        var nodes = Block(ListNodes(store, execution.ExecutionId, StopToken));
        var chosen = Node is null
            ? nodes.Where(n => (All || n.IsGoal) && include(n.Name)).Select(n => (n.Name, n.NodeId, n.IsGoal ? GoalKind.Print : GoalKind.Node)).ToList()
            : [];
        if (Node is null)
        {
            EmitResults(store, execution.ExecutionId, chosen, execution.Status, execution.Source, null);
        }
        else
        {
            EmitNamed(store, execution.ExecutionId, nodes.Select(n => (n.Name, n.NodeId, n.IsGoal ? GoalKind.Print : GoalKind.Node)).ToList(), execution.Status, execution.Source, null);
        }
    }

    // -Node: each requested name (or id) resolved against the execution's names; -All: every name given.
    private void EmitNamed(IResultStore store, string executionId, List<(string Name, NodeId Id, GoalKind Kind)> names, ExecutionStatus status, string? source, IReadOnlyDictionary<NodeId, object?>? constants)
    {
        List<(string Name, NodeId Id, GoalKind Kind)> chosen;
        if (Node is null)
        {
            chosen = names;
        }
        else
        {
            chosen = [];
            foreach (var requested in Node)
            {
                var match = names.Where(n => n.Name.Equals(requested, StringComparison.Ordinal)).ToList();
                if (match.Count == 0 && NodeId.TryParse(requested, out var id))
                {
                    match.Add((requested, id, GoalKind.Node));
                }

                if (match.Count == 0)
                {
                    Error(VoxErrors.ResultNotFound, ErrorCategory.ObjectNotFound, requested, $"Execution {executionId} has no node named '{requested}'.");
                    continue;
                }

                chosen.Add(match[0]);
            }
        }

        EmitResults(store, executionId, chosen, status, source, constants);
    }

    private void EmitResults(IResultStore store, string executionId, List<(string Name, NodeId Id, GoalKind Kind)> chosen, ExecutionStatus status, string? source, IReadOnlyDictionary<NodeId, object?>? constants)
    {
        if (chosen.Count == 0) return;
        RunAndDrain(async (sink, token) =>
        {
            var history = await StoredResults.HistoryAsync(store, executionId, token).ConfigureAwait(false);
            foreach (var (name, id, kind) in chosen)
            {
                var result = await StoredResults.ResultAsync(store, executionId, name, id, kind, status, history, source, constants, token).ConfigureAwait(false);
                await sink.OutputAsync(result, token).ConfigureAwait(false);
            }
        });
    }

    private static Dictionary<NodeId, object?> Constants(IExecution live)
    {
        var map = new Dictionary<NodeId, object?>();
        foreach (var node in live.Dag.Nodes)
        {
            if (node.Kind == NodeKind.Constant) map[node.Id] = node.Value;
        }

        return map;
    }

    private static async Task<List<ExecutionNodeName>> ListNodes(IResultStore store, string executionId, CancellationToken cancellationToken)
    {
        var list = new List<ExecutionNodeName>();
        await foreach (var n in store.ListExecutionNodesAsync(executionId, cancellationToken).ConfigureAwait(false)) list.Add(n);
        return list;
    }
}
