using System.Management.Automation;
using VoxScheduler.Cmdlets.Completion;
using VoxScheduler.Cmdlets.Dags;
using VoxScheduler.Cmdlets.Output;
using VoxScheduler.Dag;
using VoxScheduler.Execution;
using VoxScheduler.Scheduling;

namespace VoxScheduler.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Draws a DAG, or an execution with the state of each node, as Mermaid or DOT text.</para>
/// </summary>
[Cmdlet(VerbsCommon.Show, "VoxDag", DefaultParameterSetName = PathSet)]
[OutputType(typeof(string))]
public sealed class ShowVoxDagCommand : VoxDagInputCmdlet
{
    private const string ExecutionSet = "Execution";

    /// <summary>Executions of this process, by id or name, drawn with the state of each node.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ExecutionSet)]
    [Alias("Id")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ExecutionCompleter))]
    public string[] ExecutionId { get; set; } = [];

    /// <summary>The diagram language: Mermaid (default) or Dot.</summary>
    [Parameter]
    public DagDiagramFormat As { get; set; } = DagDiagramFormat.Mermaid;

    /// <summary>Wraps the text in a Markdown code fence (```mermaid or ```dot), ready to paste into a Markdown file.</summary>
    [Parameter]
    public SwitchParameter Fenced { get; set; }

    /// <summary>The largest DAG drawn, in nodes (default 2000); a larger one is an error rather than an unreadable diagram.</summary>
    [Parameter]
    [ValidateRange(1, 1_000_000)]
    public int MaxNodes { get; set; } = 2000;

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (ParameterSetName == ExecutionSet)
        {
            foreach (var id in ExecutionId)
            {
                if (FindLive(id) is { } live) DrawExecution(live, id);
                else Error(VoxErrors.ExecutionNotLocal, ErrorCategory.ObjectNotFound, id, NotLocalMessage(id));
            }

            return;
        }

        // Execution objects piped in (Submit-VoxDag, Get-VoxExecution) are drawn with their states.
        if (ParameterSetName == InputObjectSet && PSValue.Unwrap(InputObject) is VoxExecution execution)
        {
            if ((execution.Execution ?? FindLive(execution.ExecutionId)) is { } live) DrawExecution(live, execution);
            else Error(VoxErrors.ExecutionNotLocal, ErrorCategory.ObjectNotFound, execution, NotLocalMessage(execution.ExecutionId));
            return;
        }

        foreach (var input in ReadInputs()) Draw(input.Dag, null, input.Source, input.Target);
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        if (ReadCollectedNodes() is { } nodes) Draw(nodes.Dag, null, nodes.Source, nodes.Target);
    }

    private static string NotLocalMessage(string id) =>
        $"No execution '{id}' is running or has run in this process. Show-VoxDag draws executions of this process only (a store's history keeps no DAG); draw the program itself with Show-VoxDag -Path.";

    private void DrawExecution(IExecution execution, object target)
    {
        var title = execution.Name is null ? $"execution {execution.ExecutionId} ({execution.Status})" : $"{execution.Name} ({execution.Status})";
        Draw(execution.Dag, execution.GetNodeStatuses(), title, target);
    }

    private void Draw(DagDefinition dag, IReadOnlyList<NodeStatus?>? statuses, string? title, object target)
    {
        if (dag.Nodes.Count > MaxNodes)
        {
            Error(VoxErrors.DiagramTooLarge, ErrorCategory.LimitsExceeded, target,
                $"The DAG has {dag.Nodes.Count} nodes, more than -MaxNodes {MaxNodes}; raise -MaxNodes to draw it anyway.");
            return;
        }

        var text = DagDiagram.Render(dag, As, statuses, title);
        if (Fenced) text = (As == DagDiagramFormat.Mermaid ? "```mermaid\n" : "```dot\n") + text + "```\n";
        WriteObject(text);
    }
}
