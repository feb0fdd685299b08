using System.Management.Automation;
using System.Management.Automation.Language;
using VoxScheduler.Cmdlets.Hosting;
using VoxScheduler.Cmdlets.Output;
using VoxScheduler.Operations;

namespace VoxScheduler.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Registers a script block as an operation that DAG nodes and programs can use (run in a runspace pool).</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Register, "VoxOperation", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(VoxOperationInfo))]
public sealed partial class RegisterVoxOperationCommand : PSCmdlet
{
    [System.Text.RegularExpressions.GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial System.Text.RegularExpressions.Regex QualifiedName();

    /// <summary>Qualified name, <c>namespace.name</c> (the default namespace is reserved for built-ins).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = string.Empty;

    /// <summary>The script: receives the node's arguments positionally (param block or $args) and outputs its value.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNull]
    public ScriptBlock ScriptBlock { get; set; } = null!;

    /// <summary>Pure (results reused; the default), ReadsFiles, or NonDeterministic (recomputed every time).</summary>
    [Parameter]
    public Purity Purity { get; set; } = Purity.Pure;

    /// <summary>Fewest arguments (default: the parameters of the param block without a default value).</summary>
    [Parameter]
    [ValidateRange(0, 1024)]
    public int MinArity { get; set; } = -1;

    /// <summary>Most arguments, -1 for any (default: the parameters of the param block, or any with $args).</summary>
    [Parameter]
    [ValidateRange(-1, 1024)]
    public int MaxArity { get; set; } = -2;

    /// <summary>Part of every node id using the operation (default: derived from the script text, so edits invalidate old results).</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int Revision { get; set; }

    /// <summary>One line shown by Get-VoxOperation.</summary>
    [Parameter]
    public string Description { get; set; } = string.Empty;

    /// <summary>Replaces a script operation of the same name.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Writes the registered operation.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var registry = VoxEngineHost.Operations;
        if (!QualifiedName().IsMatch(Name))
        {
            // Checked here rather than by a pattern attribute, whose message is the raw regex.
            var hint = Name.Contains('.') ? string.Empty : $" (e.g. my.{Name})";
            ThrowTerminatingError(VoxErrors.Create(VoxErrors.OperationInvalid, ErrorCategory.InvalidArgument, Name,
                $"'{Name}' is not a qualified operation name: give namespace.name{hint}, each part a letter or _ followed by letters, digits or _."));
        }

        if (Name.StartsWith("default.", StringComparison.OrdinalIgnoreCase))
        {
            ThrowTerminatingError(VoxErrors.Create(VoxErrors.OperationInvalid, ErrorCategory.InvalidArgument, Name,
                "The 'default' namespace is reserved for built-in primitives; choose another namespace."));
        }

        if (registry.TryGet(Name, out var existing))
        {
            if (existing is not ScriptOperation)
            {
                ThrowTerminatingError(VoxErrors.Create(VoxErrors.OperationExists, ErrorCategory.ResourceExists, Name,
                    $"'{Name}' is a built-in operation and cannot be replaced."));
            }

            if (!Force)
            {
                ThrowTerminatingError(VoxErrors.Create(VoxErrors.OperationExists, ErrorCategory.ResourceExists, Name,
                    $"An operation named '{Name}' is already registered; use -Force to replace it."));
            }
        }

        var (declaredMin, declaredMax) = DeclaredArity(ScriptBlock);
        var min = MinArity >= 0 ? MinArity : declaredMin;
        var max = MaxArity >= -1 ? MaxArity : declaredMax;
        if (max >= 0 && max < min)
        {
            ThrowTerminatingError(VoxErrors.Create(VoxErrors.OperationInvalid, ErrorCategory.InvalidArgument, Name,
                $"MaxArity ({max}) is smaller than MinArity ({min})."));
        }

        var script = ScriptBlock.ToString();
        UsingCapture captured;
        try
        {
            captured = UsingCapture.From(ScriptBlock, SessionState);
        }
        catch (ArgumentException e)
        {
            ThrowTerminatingError(VoxErrors.Create(VoxErrors.OperationInvalid, ErrorCategory.InvalidArgument, Name, e.Message, e));
            return;
        }

        var operation = new ScriptOperation(Name, script, captured.Runnable, captured.Values, min, max,
            Revision > 0 ? Revision : ScriptOperation.RevisionOf(script, captured.Identity), Purity,
            string.IsNullOrEmpty(Description) ? "Script block registered by Register-VoxOperation." : Description);
        if (!ShouldProcess(Name, existing is null ? "Register operation" : "Replace operation")) return;
        registry.Register(operation, replace: true);
        if (PassThru) WriteObject(new VoxOperationInfo(operation));
    }

    private static (int Min, int Max) DeclaredArity(ScriptBlock script)
    {
        if (script.Ast is not ScriptBlockAst ast || ast.ParamBlock is null || ast.ParamBlock.Parameters.Count == 0)
        {
            return (0, -1);
        }

        // Every parameter without a default value is a required argument.
        var parameters = ast.ParamBlock.Parameters;
        return (parameters.Count(p => p.DefaultValue is null), parameters.Count);
    }
}
