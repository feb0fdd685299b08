namespace VoxScheduler;

/// <summary>One problem found while validating a program or a DAG.</summary>
/// <param name="Code">Stable identifier, e.g. <c>Cycle</c>, <c>MissingDependency</c>, <c>Syntax</c>, <c>UnboundName</c>.</param>
/// <param name="Message">Human-readable message, already including the location when there is one.</param>
/// <param name="File">Source file, for language errors.</param>
/// <param name="Line">1-based line, or 0 when unknown.</param>
/// <param name="Column">1-based column, or 0 when unknown.</param>
/// <param name="Node">The offending node's name or id, for DAG errors.</param>
public sealed record ValidationProblem(string Code, string Message, string? File = null, int Line = 0, int Column = 0, string? Node = null)
{
    /// <inheritdoc />
    public override string ToString() => Message;
}
