using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using VoxScheduler.Cmdlets.Hosting;

namespace VoxScheduler.Cmdlets.Completion;

/// <summary>Completes operation names (qualified), matching either the full or the short name.</summary>
public sealed class OperationCompleter : IArgumentCompleter
{
    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var prefix = wordToComplete.Trim('\'', '"');
        foreach (var op in VoxEngineHost.Operations.All)
        {
            if (op.Name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) || op.ShortName.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                yield return new CompletionResult(op.Name, op.Name, CompletionResultType.ParameterValue, $"{op.Name}/{op.ArityText}: {op.Description}");
            }
        }
    }
}
