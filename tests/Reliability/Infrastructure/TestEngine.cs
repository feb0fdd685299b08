using VoxScheduler.Dag;
using VoxScheduler.Operations;
using VoxScheduler.Scheduling;
using VoxScheduler.VoxHost;

namespace VoxScheduler.Tests.Infrastructure;

/// <summary>In-process engine pieces for tests that do not need a child process.</summary>
internal static class TestEngine
{
    /// <summary>A registry with the reliability (<c>rel</c>) operations.</summary>
    public static OperationRegistry Registry() => ReliabilityOperations.AddTo(new OperationRegistry());

    /// <summary>Every built-in namespace (default, strings, test) plus <c>rel</c>.</summary>
    public static OperationRegistry FullRegistry() => ReliabilityOperations.AddTo(BuiltinRegistry());

    private static OperationRegistry BuiltinRegistry() => Operations.Builtins.BuiltinOperations.CreateRegistry();

    /// <summary>A node applying a registered operation.</summary>
    public static int Op(this DagBuilder builder, OperationRegistry registry, string name, params int[] arguments)
    {
        Assert.True(registry.TryGet(name, out var op), $"operation {name} is not registered");
        return builder.Operation(name, op!.Revision, arguments);
    }

    /// <summary>Waits for an execution with a generous bound, failing the test instead of hanging it.</summary>
    public static async Task<ExecutionStatus> WaitBoundedAsync(this IExecution execution, TimeSpan? bound = null)
    {
        var limit = bound ?? TimeSpan.FromSeconds(60);
        try
        {
            return await execution.Completion.WaitAsync(limit);
        }
        catch (TimeoutException)
        {
            var p = execution.GetProgress();
            Assert.Fail($"execution {execution.ExecutionId} did not end within {limit}: running={p.RunningNodes} ready={p.ReadyNodes} pending={p.PendingNodes} completed={p.CompletedNodes} failed={p.FailedNodes}");
            throw;
        }
    }

    /// <summary>The goal named <paramref name="name"/>.</summary>
    public static GoalResult Goal(this IExecution execution, string name) =>
        execution.GetGoalResults().SingleOrDefault(g => g.Name == name) ?? throw new InvalidOperationException($"no goal {name}");
}
