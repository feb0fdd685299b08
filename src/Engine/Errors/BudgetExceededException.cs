namespace VoxScheduler;

/// <summary>
/// A program or an execution went past one of the budgets that bound the work a single request
/// may cause (compile nodes, compile time, execution nodes). A validation error: never retried.
/// </summary>
public sealed class BudgetExceededException : ValidationException
{
    /// <summary>Budget names, as configured and as reported (REST problem type and detail).</summary>
    public const string CompileNodes = "max_compile_nodes";

    /// <inheritdoc cref="CompileNodes"/>
    public const string CompileTime = "compile_timeout_seconds";

    /// <inheritdoc cref="CompileNodes"/>
    public const string ExecutionNodes = "max_execution_nodes";

    public BudgetExceededException(string budget, long limit, ValidationProblem problem)
        : base([problem])
    {
        Budget = budget;
        Limit = limit;
    }

    /// <summary>Which budget: <see cref="CompileNodes"/>, <see cref="CompileTime"/> or <see cref="ExecutionNodes"/>.</summary>
    public string Budget { get; }

    /// <summary>The budget's configured value (nodes, or seconds for <see cref="CompileTime"/>).</summary>
    public long Limit { get; }
}
