using System.Diagnostics;
using VoxScheduler.Language.Syntax;

namespace VoxScheduler.Language.Reduction;

/// <summary>
/// The bounds of one compilation, checked as the reducer and the loop unrolling go (not after):
/// a program whose reduction explodes (functions calling themselves twice per level, nested
/// ranges) stops within a few thousand reduction steps of the budget instead of eating memory.
/// </summary>
internal sealed class CompileBudget
{
    /// <summary>Reduction steps between clock and cancellation checks (the node count is checked every step).</summary>
    private const int CheckInterval = 1024;

    private readonly int _maxNodes;
    private readonly TimeSpan? _timeout;
    private readonly long _deadline;
    private readonly CancellationToken _cancellationToken;
    private int _untilCheck = CheckInterval;

    public CompileBudget(int maxNodes, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        _maxNodes = maxNodes;
        _timeout = timeout;
        _deadline = timeout is { } t ? Stopwatch.GetTimestamp() + (long)(t.TotalSeconds * Stopwatch.Frequency) : long.MaxValue;
        _cancellationToken = cancellationToken;
    }

    /// <summary>One reduction step at <paramref name="position"/> with <paramref name="nodes"/> nodes built so far.</summary>
    public void Step(int nodes, string file, SourcePosition position)
    {
        if (nodes > _maxNodes)
        {
            throw new BudgetExceededException(BudgetExceededException.CompileNodes, _maxNodes, new ValidationProblem(
                "CompileNodeBudget",
                $"{file}:{position.Line}:{position.Column}: the program reduces to more than {_maxNodes} nodes (compile budget {BudgetExceededException.CompileNodes} = {_maxNodes}); "
                + "reduce the work done while compiling (loops over constant ranges unroll, each function application with new arguments builds its body again) or raise the budget.",
                file, position.Line, position.Column));
        }

        if (--_untilCheck > 0) return;
        _untilCheck = CheckInterval;
        _cancellationToken.ThrowIfCancellationRequested();
        if (Stopwatch.GetTimestamp() > _deadline)
        {
            var seconds = (long)Math.Ceiling(_timeout!.Value.TotalSeconds);
            throw new BudgetExceededException(BudgetExceededException.CompileTime, seconds, new ValidationProblem(
                "CompileTimeBudget",
                $"{file}:{position.Line}:{position.Column}: compiling took longer than {_timeout.Value.TotalSeconds:0.###} s (compile budget {BudgetExceededException.CompileTime} = {_timeout.Value.TotalSeconds:0.###}) and was stopped; "
                + $"{nodes} nodes were built by then.",
                file, position.Line, position.Column));
        }
    }
}
