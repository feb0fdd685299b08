using VoxScheduler.Language.Syntax;

namespace VoxScheduler.Language;

/// <summary>
/// Collects the problems of one compilation (syntax and reduction), each already formatted as
/// <c>file:line:col: message</c>, and turns them into one <see cref="ValidationException"/>.
/// Identical problems (same place, same message) are reported once.
/// </summary>
internal sealed class Diagnostics
{
    /// <summary>Beyond this many problems the rest are summarised: a garbage file should not produce megabytes of text.</summary>
    public const int MaxProblems = 200;

    private readonly List<ValidationProblem> _problems = [];
    private readonly HashSet<(string?, int, int, string)> _seen = [];
    private int _dropped;

    public int Count => _problems.Count;

    public bool HasErrors => _problems.Count > 0;

    public void Add(string code, string file, SourcePosition position, string message, string? chain = null)
    {
        if (!_seen.Add((file, position.Line, position.Column, message)))
        {
            return;
        }

        if (_problems.Count >= MaxProblems)
        {
            _dropped++;
            return;
        }

        var text = $"{file}:{position.Line}:{position.Column}: {message}";
        if (!string.IsNullOrEmpty(chain))
        {
            text += chain;
        }

        _problems.Add(new ValidationProblem(code, text, file, position.Line, position.Column));
    }

    /// <summary>A problem without a position (an unreadable file).</summary>
    public void Add(string code, string message, string? file = null) => _problems.Add(new ValidationProblem(code, message, file));

    public void ThrowIfAny()
    {
        if (_problems.Count == 0)
        {
            return;
        }

        var list = new List<ValidationProblem>(_problems);
        if (_dropped > 0)
        {
            list.Add(new ValidationProblem("TooManyErrors", $"… and {_dropped} more problems."));
        }

        throw new ValidationException(list);
    }
}
