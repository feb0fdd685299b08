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
    public async Task With_a_budget_few_cases_are_live_at_once_without_one_many_are()
    {
        var (_, one) = await RunAsync(1, 0);
        var budget = 2 * one.PeakLiveBytes; // room for about two cases
        var bounded = await MostCasesOpenAsync(20, budget);
        var free = await MostCasesOpenAsync(20, 0);
        // A case is open from its scan's start to its sum's end; the budget admits a new one when
        // two fit (counting what the open ones will still grow by), plus one started as the last shrinks.
        Assert.InRange(bounded, 1, 3);
        Assert.True(free > 3, $"without a budget only {free} cases were open at once: the test shows nothing");
    }

    /// <summary>The most cases of a <see cref="Dataset"/> open at once (scan started, sum not yet done).</summary>
    private static async Task<int> MostCasesOpenAsync(int cases, long budget)
    {
        int open = 0, most = 0;
        var registry = Registry();
        registry.Register(replace: true, operation: Operation.CreateAsync("m.case", 1, 1, async c =>
        {
            var now = Interlocked.Increment(ref open);
            InterlockedMax(ref most, now);
            await Task.Delay(3, c.CancellationToken);
            var bytes = new byte[CaseBytes];
            new Random((int)c.Number(0)).NextBytes(bytes);
            return OperationResult.FromValue(bytes);
        }));
        registry.Register(replace: true, operation: Operation.Create("m.sum", 1, 1, c =>
        {
            var sum = (double)((byte[])c.Arguments[0]!).Sum(x => (long)x);
            Interlocked.Decrement(ref open);
            return sum;
        }));
        await using var scheduler = new DynamicScheduler(registry, new SchedulerOptions { MaxWorkers = 4 });
        var config = new ExecutionConfig { StorageBackend = "none", MaxConcurrentNodes = 8, CacheSize = "0", MemoryBudget = budget };
        var execution = await scheduler.SubmitAsync(Dataset(cases), config);
        Assert.Equal(ExecutionStatus.Completed, await execution.Completion.WaitAsync(TimeSpan.FromSeconds(120)));
        return Volatile.Read(ref most);

        static void InterlockedMax(ref int target, int value)
        {
            for (var seen = Volatile.Read(ref target); value > seen; seen = Volatile.Read(ref target))
            {
                if (Interlocked.CompareExchange(ref target, value, seen) == seen) return;
            }
        }
    }

    [Fact]
    public async Task A_running_node_counts_the_output_it_will_make_in_the_live_values()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var registry = Registry();
        // A step that holds on until the test lets it go: while it runs, its output is being made.
        registry.Register(Operation.CreateAsync("m.held", 1, 1, async c =>
        {
            started.TrySetResult();
            await release.Task.WaitAsync(c.CancellationToken);
            return OperationResult.FromValue(new byte[((byte[])c.Arguments[0]!).Length]);
        }));
        var b = new DagBuilder();
        var scan = b.Operation("m.case", 1, [b.Constant(1.0)]);
        var held = b.Operation("m.held", 1, [scan]);
        b.AddGoal(new DagGoal("sum", GoalKind.Print, b.Operation("m.sum", 1, [held])));
        await using var scheduler = new DynamicScheduler(registry);
        var execution = await scheduler.SubmitAsync(b.Build(),
            new ExecutionConfig { StorageBackend = "none", CacheSize = "0", MemoryBudget = 64L * CaseBytes });
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // The scan (live: the step's input) and the step's output, reserved at the size of its input
        // (each counted as its bytes plus a small overhead of the array): not the scan alone.
        Assert.InRange(execution.GetProgress().LiveBytes, 2L * CaseBytes, 2L * CaseBytes + 1024);
        release.SetResult();
        Assert.Equal(ExecutionStatus.Completed, await execution.Completion.WaitAsync(TimeSpan.FromSeconds(30)));
        var done = execution.GetProgress();
        Assert.Equal(0, done.LiveBytes); // the reservation went back when the step finished
        Assert.True(done.PeakLiveBytes >= 2L * CaseBytes, $"peak {done.PeakLiveBytes}");
    }

    [Fact]
    public async Task Cases_whose_one_output_is_larger_than_the_budget_all_finish()
    {
        // Each case's step makes 4 × CaseBytes against a budget of one CaseByte: no case ever fits,
        // the reservations alone exceed the budget, and every case still runs (one at a time).
        var registry = Registry();
        registry.Register(replace: true, operation: Operation.CreateAsync("m.step", 1, 2, async c =>
        {
            await Task.Delay(3, c.CancellationToken);
            var a = (byte[])c.Arguments[0]!;
            var result = new byte[4 * CaseBytes];
            for (var i = 0; i < a.Length; i++) result[i] = (byte)(a[i] >> 1);
            return OperationResult.FromValue(result);
        }));
        await using var scheduler = new DynamicScheduler(registry, new SchedulerOptions { MaxWorkers = 4 });
        var execution = await scheduler.SubmitAsync(Dataset(5),
            new ExecutionConfig { StorageBackend = "none", MaxConcurrentNodes = 8, CacheSize = "0", MemoryBudget = CaseBytes });
        Assert.Equal(ExecutionStatus.Completed, await execution.Completion.WaitAsync(TimeSpan.FromSeconds(120)));
        Assert.All(execution.GetGoalResults(), g => Assert.Equal(NodeStatus.Completed, g.Status));
        var progress = execution.GetProgress();
        Assert.Equal(0, progress.LiveBytes);
        // A case holds its scan and two 4 × CaseBytes steps at once (one of them reserved while it runs).
        Assert.True(progress.PeakLiveBytes >= 4L * CaseBytes, $"peak {progress.PeakLiveBytes}");
    }

    [Fact]
    public void A_negative_budget_is_refused()
    {
        var e = Assert.Throws<ValidationException>(() => new ExecutionConfig { MemoryBudget = -1 }.Validate());
        Assert.Contains("memory_budget", e.Message);
    }
}
