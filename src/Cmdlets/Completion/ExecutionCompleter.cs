using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using VoxScheduler.Cmdlets.Hosting;

namespace VoxScheduler.Cmdlets.Completion;

/// <summary>Completes execution ids and names of this process's executions (newest first).</summary>
public sealed class ExecutionCompleter : IArgumentCompleter
{
    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        if (!VoxEngineHost.IsStarted) yield break;
        var prefix = wordToComplete.Trim('\'', '"');
        foreach (var e in VoxEngineHost.Scheduler.ListExecutions())
        {
            var tip = $"{e.Status}, submitted {e.SubmittedAt:u}";
            if (e.Name is { } name && name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                yield return new CompletionResult(Quote(name), name, CompletionResultType.ParameterValue, $"{name} ({e.ExecutionId}) {tip}");
            }

            if (e.ExecutionId.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                yield return new CompletionResult(e.ExecutionId, e.ExecutionId, CompletionResultType.ParameterValue, $"{e.Name ?? e.ExecutionId} {tip}");
            }
        }
    }

    internal static string Quote(string text) =>
        text.IndexOfAny([' ', '\t', '$', '\'', '"', '`', ';', '(', ')', '{', '}', ',', '&', '|', '@', '#']) >= 0 ? "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'" : text;
}
