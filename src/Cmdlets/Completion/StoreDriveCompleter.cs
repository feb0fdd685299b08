using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using VoxScheduler.Cmdlets.Provider;

namespace VoxScheduler.Cmdlets.Completion;

/// <summary>Completes the VoxStore drives of the current runspace (<c>Vox:</c>, <c>lab:</c>, …), then folders (a store may also be a folder).</summary>
public sealed class StoreDriveCompleter : IArgumentCompleter
{
    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var prefix = wordToComplete.Trim('\'', '"');
        using var ps = PowerShell.Create(RunspaceMode.CurrentRunspace);
        ps.AddCommand("Get-PSDrive").AddParameter("PSProvider", VoxStoreProvider.ProviderName).AddParameter("ErrorAction", "Ignore");
        foreach (var result in ps.Invoke())
        {
            if (result.BaseObject is PSDriveInfo drive && drive.Name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                var text = drive.Name + ":";
                var tip = drive is VoxDriveInfo vox ? vox.Location.ToString() : drive.Root;
                yield return new CompletionResult(text, text, CompletionResultType.ParameterValue, tip);
            }
        }

        foreach (var folder in CompletionCompleters.CompleteFilename(wordToComplete))
        {
            if (folder.ResultType == CompletionResultType.ProviderContainer) yield return folder;
        }
    }
}
