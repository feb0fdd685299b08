using System.Collections.Concurrent;
using VoxScheduler.Dag;
using VoxScheduler.Operations;
using VoxScheduler.Operations.Builtins;
using VoxScheduler.Scheduling;

namespace VoxScheduler.Tests.Scheduling;

/// <summary>Operations and helpers shared by the scheduler tests; every operation counts its invocations per node.</summary>
internal sealed class TestOps
{
    public ConcurrentDictionary<NodeId, int> Runs { get; } = new();

    public OperationRegistry Registry { get; } = new();

    public TestOps()
    {
        TestNamespace.Register(Registry);
        Registry.Register(Operation.Create("t.add", 0, -1, c =>
        {
            Count(c);
            double sum = c.Attributes is { } a && a.TryGetValue("c", out var k) ? Convert.ToDouble(k, System.Globalization.CultureInfo.InvariantCulture) : 0;
            for (var i = 0; i < c.Count; i++) sum += c.Number(i);
            return sum;
        }));
        Registry.Register(Operation.CreateAsync("t.addAsync", 0, -1, async c =>
        {
            Count(c);
            await Task.Yield();
            double sum = 0;
            for (var i = 0; i < c.Count; i++) sum += c.Number(i);
            return sum;
        }));
        Registry.Register(Operation.Create("t.random", 0, 1, c =>
        {
            Count(c);
            return (double)Random.Shared.Next();
        }, purity: Purity.NonDeterministic));
    }

    public int RunsOf(NodeId id) => Runs.TryGetValue(id, out var n) ? n : 0;

    public int TotalRuns => Runs.Values.Sum();

    private void Count(OperationContext c) => Runs.AddOrUpdate(c.NodeId, 1, static (_, n) => n + 1);

    public DynamicScheduler Scheduler(SchedulerOptions? options = null) => new(Registry, options ?? new SchedulerOptions { MaxWorkers = 8 });

    public static ExecutionConfig Memory(int concurrency = 4) => new() { StorageBackend = "none", MaxConcurrentNodes = concurrency };

    public static async Task<IExecution> RunAsync(DynamicScheduler scheduler, DagDefinition dag, ExecutionConfig? config = null, SubmitOptions? options = null)
    {
        var execution = await scheduler.SubmitAsync(dag, config ?? Memory(), options);
        await execution.Completion.WaitAsync(TimeSpan.FromSeconds(60));
        return execution;
    }
}
