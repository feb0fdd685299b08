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

    /// <summary>The arguments, in order: node names (text) or node objects; any other value (a number, boolean, array, hashtable, bytes) is a constant of its own, written as a node named &lt;Name&gt;.arg&lt;i&gt; before this one.</summary>
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

    // A constant's content id is computed from its canonical JSON form, which has no bytes: say
    // so at the node, with what to do, instead of a bare ArgumentException at submission.
    private void RefuseBytes(string node, object? value)
    {
        if (!HoldsBytes(value, 0)) return;
        ThrowTerminatingError(VoxErrors.Create(VoxErrors.DagInvalid, ErrorCategory.InvalidArgument, value,
            $"Node '{node}': a constant cannot hold bytes (a constant's id is computed from its JSON form, which has none). " +
            "Pass the bytes as text ([Convert]::ToBase64String(...)), or write them to a file and load it in a program."));
    }

    private static bool HoldsBytes(object? value, int depth) => depth <= 256 && value switch
    {
        byte[] => true,
        IReadOnlyDictionary<string, object?> record => record.Values.Any(v => HoldsBytes(v, depth + 1)),
        object?[] items => items.Any(v => HoldsBytes(v, depth + 1)),
        _ => false,
    };

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

            RefuseBytes(Name, value);

            WriteObject(new VoxNode { Name = Name, Operation = DagBuilder.ConstantOperator, Value = value, IsGoal = Goal });
            return;
        }

        var parameters = Parameters is null ? null : PSValue.ToRuntime(Parameters) as IReadOnlyDictionary<string, object?>;
        // Names are explicit (text and node objects); any other argument is a value: it becomes a
        // constant node of its own (<name>.arg<i>), written first, so "a, 5" means node a and the number 5.
        var names = new List<string>(Arguments.Length);
        for (var i = 0; i < Arguments.Length; i++)
        {
            switch (PSValue.Unwrap(Arguments[i]))
            {
                case string text:
                    names.Add(text);
                    break;
                case VoxNode node:
                    names.Add(node.Name);
                    break;
                case var literal:
                    object? value;
                    try
                    {
                        value = PSValue.ToRuntime(literal);
                    }
                    catch (ArgumentException e)
                    {
                        ThrowTerminatingError(VoxErrors.Create(VoxErrors.DagInvalid, ErrorCategory.InvalidArgument, literal, $"Node '{Name}', argument {i + 1}: {e.Message}", e));
                        return;
                    }

                    var constant = $"{Name}.arg{i + 1}";
                    RefuseBytes(constant, value);
                    WriteObject(new VoxNode { Name = constant, Operation = DagBuilder.ConstantOperator, Value = value });
                    names.Add(constant);
                    break;
            }
        }

        WriteObject(new VoxNode
        {
            Name = Name,
            Operation = Operation.Contains('.') ? Operation : "default." + Operation,
            Arguments = names.ToArray(),
            Parameters = parameters,
            IsGoal = Goal,
        });
    }
}
