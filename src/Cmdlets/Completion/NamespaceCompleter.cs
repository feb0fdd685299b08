using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using VoxScheduler.Cmdlets.Hosting;

namespace VoxScheduler.Cmdlets.Completion;

/// <summary>Completes the namespaces of the registered operations (default, strings, test, and those of script operations).</summary>
public sealed class NamespaceCompleter : IArgumentCompleter
{
    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var prefix = wordToComplete.Trim('\'', '"');
        foreach (var ns in VoxEngineHost.Operations.Namespaces.Order(StringComparer.Ordinal))
        {
            if (!ns.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) continue;
            var count = VoxEngineHost.Operations.InNamespace(ns).Count;
            yield return new CompletionResult(ns, ns, CompletionResultType.ParameterValue, $"{ns} ({count} operations)");
        }
    }
}
