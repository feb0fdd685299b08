using VoxScheduler.Language.Syntax;

namespace VoxScheduler.Language.Reduction;

/// <summary>One user-function application on the reduction stack, for error call chains.</summary>
internal readonly record struct CallFrame(string Function, string File, SourcePosition CallSite)
{
    /// <summary>"\n  in f, called at file:2:11" lines, innermost first (at most 20).</summary>
    public static string Describe(List<CallFrame> stack)
    {
        if (stack.Count == 0)
        {
            return string.Empty;
        }

        var sb = new System.Text.StringBuilder();
        for (var i = stack.Count - 1; i >= 0; i--)
        {
            if (stack.Count - i > 20)
            {
                sb.Append($"{Environment.NewLine}  … {stack.Count - 20} more calls");
                break;
            }

            var f = stack[i];
            sb.Append($"{Environment.NewLine}  in {f.Function}, called at {f.File}:{f.CallSite.Line}:{f.CallSite.Column}");
        }

        return sb.ToString();
    }
}
