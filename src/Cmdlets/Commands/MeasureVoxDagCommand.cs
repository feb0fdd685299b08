using System.Management.Automation;
using VoxScheduler.Cmdlets.Dags;
using VoxScheduler.Cmdlets.Output;

namespace VoxScheduler.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Measures a DAG: nodes, edges, depth, critical path, widest level and the theoretical speed-up at N workers.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Measure, "VoxDag", DefaultParameterSetName = PathSet)]
[OutputType(typeof(VoxDagMeasurement))]
public sealed class MeasureVoxDagCommand : VoxDagInputCmdlet
{
    /// <summary>Workers assumed for the speed-up bound (default: processor count).</summary>
    [Parameter]
    [ValidateRange(1, 65536)]
    public int Workers { get; set; } = Environment.ProcessorCount;

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        foreach (var input in ReadInputs()) WriteObject(DagMeasure.Measure(input.Dag, Workers));
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        if (ReadCollectedNodes() is { } nodes) WriteObject(DagMeasure.Measure(nodes.Dag, Workers));
    }
}
