using System.Management.Automation;
using VoxScheduler.Cmdlets.Output;
using VoxScheduler.Dag;

namespace VoxScheduler.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Reduces a program (or reads a DAG) to its DAG without running it; -AsJson and -AsDot give text.</para>
/// </summary>
[Cmdlet(VerbsData.ConvertTo, "VoxDag", DefaultParameterSetName = PathSet)]
[OutputType(typeof(VoxDag))]
[OutputType(typeof(string))]
public sealed class ConvertToVoxDagCommand : VoxDagInputCmdlet
{
    /// <summary>Writes the DAG as JSON in the specification's DAGDefinition shape (accepted back by Submit-VoxDag -Dag, with the same content ids).</summary>
    [Parameter]
    public SwitchParameter AsJson { get; set; }

    /// <summary>Writes the DAG as Graphviz DOT.</summary>
    [Parameter]
    public SwitchParameter AsDot { get; set; }

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        if (AsJson && AsDot)
        {
            ThrowTerminatingError(VoxErrors.Create(VoxErrors.ParameterConflict, ErrorCategory.InvalidArgument, null, "-AsJson and -AsDot cannot be used together."));
        }
    }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        foreach (var input in ReadInputs()) Emit(input);
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        if (ReadCollectedNodes() is { } nodes) Emit(nodes);
    }

    private void Emit(DagInput input)
    {
        if (AsJson) WriteObject(DagJson.ToJson(input.Dag));
        else if (AsDot) WriteObject(DagDot.ToDot(input.Dag));
        else WriteObject(new VoxDag(input.Dag, input.Source));
    }
}
