using System.Collections;
using System.Management.Automation;
using VoxScheduler.Cmdlets.Completion;
using VoxScheduler.Cmdlets.Dags;
using VoxScheduler.Cmdlets.Output;
using VoxScheduler.Dag;

namespace VoxScheduler.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Makes a node of a user DAG: a named constant, or a named operation over other nodes. Pipe the nodes to Submit-VoxDag.</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "VoxNode", DefaultParameterSetName = OperationSet)]
[OutputType(typeof(VoxNode))]
public sealed class NewVoxNodeCommand : PSCmdlet
{
    private const string OperationSet = "Operation";
    private const string ConstantSet = "Constant";

    /// <summary>The node's name, unique in its DAG.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    [ValidatePattern(@"^[^/\\:]+$")]
    public string Name { get; set; } = string.Empty;

    /// <summary>The operation (qualified, e.g. default.add; unqualified names mean the default namespace).</summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = OperationSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(OperationCompleter))]
    public string Operation { get; set; } = string.Empty;

    /// <summary>The argument nodes, by name or as node objects, in order.</summary>
    [Parameter(Position = 2, ParameterSetName = OperationSet)]
    [AllowEmptyCollection]
    public object[] Arguments { get; set; } = [];

    /// <summary>Operation parameters (part of the node's identity).</summary>
    [Parameter(ParameterSetName = OperationSet)]
    public IDictionary? Parameters { get; set; }

    /// <summary>The value of a constant node (number, boolean, string, array, hashtable, bytes).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ConstantSet)]
    [AllowNull]
    public object? Value { get; set; }

    /// <summary>Reports this node's value when the DAG runs (default: nodes nothing depends on).</summary>
    [Parameter]
    public SwitchParameter Goal { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (ParameterSetName == ConstantSet)
        {
            object? value;
            try
            {
                value = PSValue.ToRuntime(Value);
            }
            catch (ArgumentException e)
            {
                ThrowTerminatingError(VoxErrors.Create(VoxErrors.DagInvalid, ErrorCategory.InvalidArgument, Value, $"Node '{Name}': {e.Message}", e));
                return;
            }

            WriteObject(new VoxNode { Name = Name, Operation = DagBuilder.ConstantOperator, Value = value, IsGoal = Goal });
            return;
        }

        var parameters = Parameters is null ? null : PSValue.ToRuntime(Parameters) as IReadOnlyDictionary<string, object?>;
        WriteObject(new VoxNode
        {
            Name = Name,
            Operation = Operation.Contains('.') ? Operation : "default." + Operation,
            Arguments = PSValue.StringList(Arguments).ToArray(),
            Parameters = parameters,
            IsGoal = Goal,
        });
    }
}
