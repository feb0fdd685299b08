namespace VoxScheduler.Cmdlets.Commands;

/// <summary>One problem of a rejected program or DAG, with its location (file, line, column).</summary>
public sealed class VoxValidationException : Exception
{
    /// <summary>Wraps one validation problem.</summary>
    public VoxValidationException(ValidationProblem problem) : base(problem.Message) => Problem = problem;

    /// <summary>The problem: code, message, file, line, column, node.</summary>
    public ValidationProblem Problem { get; }

    /// <summary>The stable problem code (<c>Syntax</c>, <c>UnboundName</c>, <c>Cycle</c>, …).</summary>
    public string Code => Problem.Code;

    /// <summary>The source file, when there is one.</summary>
    public string? File => Problem.File;

    /// <summary>1-based line, 0 when unknown.</summary>
    public int Line => Problem.Line;

    /// <summary>1-based column, 0 when unknown.</summary>
    public int Column => Problem.Column;
}
