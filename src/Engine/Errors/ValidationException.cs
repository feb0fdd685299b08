namespace VoxScheduler;

/// <summary>
/// A program or DAG was rejected before anything ran. Carries every problem found, not just
/// the first. Never retried.
/// </summary>
public class ValidationException : DynamicSchedulerException
{
    public ValidationException(IReadOnlyList<ValidationProblem> problems)
        : base(Summarize(problems))
    {
        Problems = problems;
    }

    public ValidationException(string message, string code = "Invalid")
        : this([new ValidationProblem(code, message)])
    {
    }

    /// <summary>Everything that is wrong, in source or discovery order.</summary>
    public IReadOnlyList<ValidationProblem> Problems { get; }

    private static string Summarize(IReadOnlyList<ValidationProblem> problems) => problems.Count switch
    {
        0 => "Validation failed.",
        1 => problems[0].Message,
        _ => $"{problems.Count} problems:{Environment.NewLine}" + string.Join(Environment.NewLine, problems.Select(p => "  " + p.Message)),
    };
}
