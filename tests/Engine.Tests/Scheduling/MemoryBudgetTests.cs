using VoxScheduler.Dag;
using VoxScheduler.Execution;
using VoxScheduler.Operations;
using VoxScheduler.Scheduling;

namespace VoxScheduler.Tests.Scheduling;

/// <summary>
/// The memory budget for live values (#15 item 5): a dataset of synthetic cases, each loaded
/// (new work), transformed twice and reduced to a number, peaks within the budget plus one
/// case's working set, with the same results as without a budget.
/// </summary>
public sealed class MemoryBudgetTests
{
    private const int CaseBytes = 1 << 20;

    private static OperationRegistry Registry()
    {
        var registry = new OperationRegistry();
        // A case's "scan": CaseBytes derived from its seed (its inputs are constants: new work).
        registry.Register(Operation.CreateAsync("m.case", 1, 1, async c =>
        {
            await Task.Delay(3, c.CancellationToken);
            var bytes = new byte[CaseBytes];
            new Random((int)c.Number(0)).NextBytes(bytes);
            return OperationResult.FromValue(bytes);
        }));
        // A voxel-wise step over one or two images of the case.
        registry.Register(Operation.CreateAsync("m.step", 1, 2, async c =>
        {
            await Task.Delay(3, c.CancellationToken);
            var a = (byte[])c.Arguments[0]!;
            var b = c.Count > 1 ? (byte[])c.Arguments[1]! : a;
            var result = new byte[a.Length];
            for (var i = 0; i < a.Length; i++) result[i] = (byte)(a[i] ^ (b[i] >> 1));
            return OperationResult.FromValue(result);
        }));
        registry.Register(Operation.Create("m.sum", 1, 1, c => (double)((byte[])c.Arguments[0]!).Sum(x => (long)x)));
        registry.Register(Operation.Create("m.total", 1, -1, c =>
        {
            double total = 0;
            for (var i = 0; i < c.Count; i++) total += c.Number(i);
            return total;
        }));
        return registry;
    }

    /// <summary>cases → case(i) → a = step(case) → b = step(a, case) → sum(b); goals: each sum and the total.</summary>
    private static DagDefinition Dataset(int cases)
    {
        var b = new DagBuilder();
        var sums = new int[cases];
        for (var i = 0; i < cases; i++)
        {
            var scan = b.Operation("m.case", 1, [b.Constant((double)(i + 1))]);
            var a = b.Operation("m.step", 1, [scan]);
            var c = b.Operation("m.step", 1, [a, scan]);
            sums[i] = b.Operation("m.sum", 1, [c]);
            b.AddGoal(new DagGoal($"case{i}", GoalKind.Print, sums[i]));
        }

        b.AddGoal(new DagGoal("total", GoalKind.Print, b.Operation("m.total", 1, sums)));
        return b.Build();
    }

    private static async Task<(IExecution Execution, ExecutionProgress Progress)> RunAsync(int cases, long budget)
    {
        await using var scheduler = new DynamicScheduler(Registry(), new SchedulerOptions { MaxWorkers = 4 });
        var config = new ExecutionConfig { StorageBackend = "none", MaxConcurrentNodes = 8, CacheSize = "0", MemoryBudget = budget };
        var execution = await scheduler.SubmitAsync(Dataset(cases), config);
        Assert.Equal(ExecutionStatus.Completed, await execution.Completion.WaitAsync(TimeSpan.FromSeconds(120)));
        return (execution, execution.GetProgress());
    }

    [Fact]
    public async Task A_twenty_case_dataset_peaks_within_the_budget_plus_one_case_and_gives_the_same_results()
    {
        var (_, one) = await RunAsync(1, 0);
        var workingSet = one.PeakLiveBytes;
        Assert.InRange(workingSet, 2L * CaseBytes, 4L * CaseBytes); // a case holds its scan and a step at once

        var budget = 3L * CaseBytes;
        var (free, freeProgress) = await RunAsync(20, 0);
        var (bounded, boundedProgress) = await RunAsync(20, budget);

        Assert.Equal(free.GetGoalResults().Select(g => (g.Name, g.Value)), bounded.GetGoalResults().Select(g => (g.Name, g.Value)));
        Assert.Equal(budget, boundedProgress.MemoryBudget);
        Assert.Equal(0, boundedProgress.LiveBytes); // every value left memory after its last consumer
        Assert.Equal(0, freeProgress.LiveBytes);
        Assert.True(boundedProgress.PeakLiveBytes <= budget + workingSet,
            $"peak {boundedProgress.PeakLiveBytes} > budget {budget} + one case {workingSet}");
        // Without the budget the same run holds many cases at once: the budget is what bounds it.
        Console.WriteLine($"one case {workingSet}, unbudgeted peak {freeProgress.PeakLiveBytes}, budgeted peak {boundedProgress.PeakLiveBytes}");
        Assert.True(freeProgress.PeakLiveBytes > budget + workingSet,
            $"the unbudgeted peak {freeProgress.PeakLiveBytes} is not above {budget + workingSet}: the test shows nothing");
    }

    [Fact]
    public async Task A_budget_smaller_than_one_case_still_finishes_every_case()
    {
        // Nothing fits: new work runs only when nothing else is running, one case at a time.
        var (execution, progress) = await RunAsync(6, 1024);
        Assert.All(execution.GetGoalResults(), g => Assert.Equal(NodeStatus.Completed, g.Status));
        var (_, one) = await RunAsync(1, 0);
        Assert.True(progress.PeakLiveBytes <= 1024 + one.PeakLiveBytes, $"peak {progress.PeakLiveBytes}");
    }

    [Fact]
    public void A_negative_budget_is_refused()
    {
        var e = Assert.Throws<ValidationException>(() => new ExecutionConfig { MemoryBudget = -1 }.Validate());
        Assert.Contains("memory_budget", e.Message);
    }
}
