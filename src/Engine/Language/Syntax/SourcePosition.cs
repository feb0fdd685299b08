namespace VoxScheduler.Language.Syntax;

/// <summary>A 1-based line and column in a source file.</summary>
internal readonly record struct SourcePosition(int Line, int Column)
{
    public override string ToString() => $"{Line}:{Column}";
}
