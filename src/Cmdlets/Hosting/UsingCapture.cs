using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Text;

namespace VoxScheduler.Cmdlets.Hosting;

/// <summary>
/// The <c>$using:</c> variables of a script registered as an operation, captured from the
/// caller's scope when it is registered (as Invoke-Command and ForEach-Object -Parallel capture
/// them). The script runs later in a runspace pool that cannot see the caller, so each
/// <c>$using:name</c> is rewritten to read the captured value; the captured values' serialized
/// form is part of the operation's identity, so capturing another value gives other result ids.
/// </summary>
internal sealed record UsingCapture(string Runnable, Hashtable Values, string Identity)
{
    /// <summary>Captures the script's <c>$using:</c> values; an unset variable is an error (<see cref="ArgumentException"/>) naming it.</summary>
    public static UsingCapture From(ScriptBlock script, SessionState caller)
    {
        var text = script.ToString();
        var values = new Hashtable(StringComparer.OrdinalIgnoreCase);
        if (script.Ast is not ScriptBlockAst ast) return new UsingCapture(text, values, string.Empty);

        // The script's text is the script block's body (without the braces of a literal); AST
        // extents are offsets into the file or command line it came from, so they are made
        // relative to where the body starts inside the block's own extent.
        var inside = ast.Extent.Text.IndexOf(text, StringComparison.Ordinal);
        var bodyStart = ast.Extent.StartOffset + Math.Max(0, inside);
        var usings = ast.FindAll(a => a is UsingExpressionAst, searchNestedScriptBlocks: true)
            .Cast<UsingExpressionAst>()
            .OrderByDescending(u => UsingExpressionAst.ExtractUsingVariable(u).Extent.StartOffset)
            .ToList();
        if (usings.Count == 0) return new UsingCapture(text, values, string.Empty);

        var runnable = new StringBuilder(text);
        foreach (var u in usings)
        {
            // $using:x, and $using:x.Member or $using:x[0]: the variable is what is captured.
            var variable = UsingExpressionAst.ExtractUsingVariable(u);
            var name = variable.VariablePath.UserPath;
            if (!values.ContainsKey(name))
            {
                var found = caller.PSVariable.Get(name)
                    ?? throw new ArgumentException($"$using:{name} names a variable that is not set in the caller's scope; set ${name} before registering the operation.");
                values[name] = found.Value;
            }

            // Only the variable ($using:x) is rewritten; a member access or index after it stays.
            var start = variable.Extent.StartOffset - bodyStart;
            var length = variable.Extent.EndOffset - variable.Extent.StartOffset;
            if (start < 0 || start + length > runnable.Length || runnable.ToString(start, length) != variable.Extent.Text)
            {
                throw new ArgumentException($"'{u.Extent.Text}' cannot be captured (the script block's text does not match its parse).");
            }

            // $(…) works both in code and inside an expandable string.
            runnable.Remove(start, length).Insert(start, $"$($__VoxUsing['{name.Replace("'", "''", StringComparison.Ordinal)}'])");
        }

        var identity = new StringBuilder();
        foreach (var key in values.Keys.Cast<string>().Order(StringComparer.OrdinalIgnoreCase))
        {
            identity.Append(key).Append('=').Append(PSSerializer.Serialize(values[key], 4)).Append('\n');
        }

        return new UsingCapture(runnable.ToString(), values, identity.ToString());
    }
}
