using System.Management.Automation;
using VoxScheduler.Cmdlets.Completion;
using VoxScheduler.Cmdlets.Hosting;
using VoxScheduler.Cmdlets.Output;

namespace VoxScheduler.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Lists the operations nodes and programs may use: built-in primitives and registered script blocks.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "VoxOperation")]
[OutputType(typeof(VoxOperationInfo))]
public sealed class GetVoxOperationCommand : PSCmdlet
{
    /// <summary>Qualified or short names; wildcards allowed.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(OperationCompleter))]
    public string[]? Name { get; set; }

    /// <summary>Only operations of these namespaces (default, strings, test, …).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(NamespaceCompleter))]
    public string[]? Namespace { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var operations = VoxEngineHost.Operations.All;
        if (Name is null)
        {
            foreach (var op in operations.Where(InNamespace)) WriteObject(new VoxOperationInfo(op));
            return;
        }

        foreach (var name in Name)
        {
            var pattern = WildcardPattern.Get(name, WildcardOptions.IgnoreCase);
            var found = operations.Where(o => InNamespace(o) && (pattern.IsMatch(o.Name) || pattern.IsMatch(o.ShortName))).ToList();
            if (found.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(name))
            {
                WriteError(VoxErrors.Create(VoxErrors.OperationNotFound, ErrorCategory.ObjectNotFound, name, $"No operation named '{name}' is registered."));
            }

            foreach (var op in found) WriteObject(new VoxOperationInfo(op));
        }
    }

    private bool InNamespace(Operations.Operation operation) =>
        Namespace is null || Namespace.Contains(operation.Namespace, StringComparer.OrdinalIgnoreCase);
}
