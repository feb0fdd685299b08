using System.Management.Automation;
using VoxScheduler.Cmdlets.Completion;
using VoxScheduler.Cmdlets.Hosting;

namespace VoxScheduler.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Removes script operations registered with Register-VoxOperation.</para>
/// Executions already submitted keep the operation they resolved at submission; only later
/// submissions stop finding it. Built-in primitives cannot be removed.
/// </summary>
[Cmdlet(VerbsLifecycle.Unregister, "VoxOperation", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(void))]
public sealed class UnregisterVoxOperationCommand : PSCmdlet
{
    /// <summary>Qualified or short names of script operations; wildcards allowed. Operation objects from Get-VoxOperation bind by their Name.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(OperationCompleter))]
    public string[] Name { get; set; } = [];

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var registry = VoxEngineHost.Operations;
        foreach (var name in Name)
        {
            var pattern = WildcardPattern.Get(name, WildcardOptions.IgnoreCase);
            var wildcard = WildcardPattern.ContainsWildcardCharacters(name);
            var found = registry.All.Where(o => pattern.IsMatch(o.Name) || pattern.IsMatch(o.ShortName)).ToList();
            if (found.Count == 0 && !wildcard)
            {
                WriteError(VoxErrors.Create(VoxErrors.OperationNotFound, ErrorCategory.ObjectNotFound, name, $"No operation named '{name}' is registered."));
                continue;
            }

            foreach (var operation in found)
            {
                if (operation is not ScriptOperation)
                {
                    // A wildcard such as 'my.*' never means the built-ins it happens to match; a name does, and is refused.
                    if (!wildcard)
                    {
                        WriteError(VoxErrors.Create(VoxErrors.OperationInvalid, ErrorCategory.InvalidOperation, operation.Name,
                            $"'{operation.Name}' is a built-in operation and cannot be unregistered."));
                    }

                    continue;
                }

                if (!ShouldProcess(operation.Name, "Unregister operation")) continue;
                registry.Unregister(operation.Name);
                WriteVerbose($"Unregistered {operation.Name}.");
            }
        }
    }
}
