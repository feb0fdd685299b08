namespace VoxScheduler.Language.Syntax;

/// <summary>A top-level command (docs/language.md §2).</summary>
internal abstract class Command(SourcePosition position)
{
    public SourcePosition Position { get; } = position;
}

/// <summary>
/// <c>x = e</c>, <c>f(a, b) = e</c> or <c>let +?(a, b) = e</c>. <see cref="Parameters"/> is null for a
/// value declaration (and empty for <c>f() = e</c>).
/// </summary>
internal sealed class Declaration(SourcePosition position, string name, SourcePosition namePosition, IReadOnlyList<string>? parameters,
    IReadOnlyList<SourcePosition>? parameterPositions, Expr body, bool isOperator) : Command(position)
{
    public string Name { get; } = name;

    public SourcePosition NamePosition { get; } = namePosition;

    public IReadOnlyList<string>? Parameters { get; } = parameters;

    public IReadOnlyList<SourcePosition>? ParameterPositions { get; } = parameterPositions;

    public Expr Body { get; } = body;

    public bool IsOperator { get; } = isOperator;

    public bool IsFunction => Parameters is not null;
}

/// <summary><c>print "label" e</c> or <c>save "path" e</c>.</summary>
internal sealed class GoalCommand(SourcePosition position, bool isSave, string target, Expr value) : Command(position)
{
    public bool IsSave { get; } = isSave;

    public string Target { get; } = target;

    public Expr Value { get; } = value;
}

/// <summary><c>import "name"</c>.</summary>
internal sealed class ImportCommand(SourcePosition position, string name, SourcePosition namePosition) : Command(position)
{
    public string Name { get; } = name;

    public SourcePosition NamePosition { get; } = namePosition;
}
