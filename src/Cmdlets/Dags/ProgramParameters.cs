using System.Collections;
using System.Management.Automation;
using VoxScheduler.Cmdlets.Commands;

namespace VoxScheduler.Cmdlets.Dags;

/// <summary>Turns <c>-Parameter @{ name = value }</c> into the engine's program parameters (runtime values by name).</summary>
internal static class ProgramParameters
{
    /// <summary>At most this many parameters per program: each must match a declaration, so more is a mistake.</summary>
    public const int MaxCount = 1024;

    /// <summary>The parameters as runtime values; a bad name or value is a terminating VoxProgramParameterInvalid error.</summary>
    public static IReadOnlyDictionary<string, object?>? Convert(IDictionary? parameters, PSCmdlet cmdlet)
    {
        if (parameters is null || parameters.Count == 0) return null;
        if (parameters.Count > MaxCount)
        {
            Fail(cmdlet, parameters, $"-Parameter has {parameters.Count} entries, more than the {MaxCount} a program may bind.");
        }

        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in parameters)
        {
            var name = PSValue.Unwrap(entry.Key) as string;
            if (string.IsNullOrEmpty(name) || !IsIdentifier(name))
            {
                Fail(cmdlet, entry.Key, $"-Parameter name '{entry.Key}' is not a program identifier ([A-Za-z_][A-Za-z0-9_]*).");
                return null;
            }

            try
            {
                result[name] = PSValue.ToRuntime(entry.Value);
            }
            catch (Exception e) when (e is ArgumentException or NotSupportedException or InvalidCastException)
            {
                Fail(cmdlet, entry.Value, $"-Parameter '{name}': the value cannot be a program constant: {e.Message}", e);
            }
        }

        return result;
    }

    private static bool IsIdentifier(string name)
    {
        if (!(char.IsAsciiLetter(name[0]) || name[0] == '_')) return false;
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_')) return false;
        }

        return true;
    }

    private static void Fail(PSCmdlet cmdlet, object? target, string message, Exception? inner = null) =>
        cmdlet.ThrowTerminatingError(VoxErrors.Create(VoxErrors.ProgramParameterInvalid, ErrorCategory.InvalidArgument, target, message, inner));
}
