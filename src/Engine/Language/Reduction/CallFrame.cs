using VoxScheduler.Language.Syntax;

namespace VoxScheduler.Language.Reduction;

/// <summary>One user-function application on the reduction stack, for error call chains.</summary>
internal sealed class CallFrame(string function, string file, SourcePosition callSite, CallFrame? parent)
{
    public string Function { get; } = function;

    public string File { get; } = file;

    public SourcePosition CallSite { get; } = callSite;

    public CallFrame? Parent { get; } = parent;

    public int Depth { get; } = (parent?.Depth ?? 0) + 1;

    /// <summary>"\n  in f, called at file:2:11" lines, innermost first (at most 20).</summary>
    public static string Describe(CallFrame? frame)
    {
        if (frame is null)
        {
            return string.Empty;
        }

        var sb = new System.Text.StringBuilder();
        var shown = 0;
        for (var f = frame; f is not null; f = f.Parent)
        {
            if (++shown > 20)
            {
                sb.Append($"{Environment.NewLine}  … {frame.Depth - 20} more calls");
                break;
            }

            sb.Append($"{Environment.NewLine}  in {f.Function}, called at {f.File}:{f.CallSite.Line}:{f.CallSite.Column}");
        }

        return sb.ToString();
    }
}
