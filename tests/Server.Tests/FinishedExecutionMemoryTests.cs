using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using VoxScheduler.Scheduling;
using VoxScheduler.Server;

namespace VoxScheduler.Tests;

/// <summary>
/// Issue 14 item 2 over HTTP: a finished execution the server still answers for keeps neither its
/// plan nor its DAG, and status, results, progress, events and history still read.
/// </summary>
public sealed class FinishedExecutionMemoryTests
{
    [Fact]
    public async Task A_finished_execution_lets_go_of_its_plan_and_dag_and_still_answers_over_http()
    {
        await using var host = await ServerHost.StartAsync(o => o.EnableTestOperations = true);
        var executions = host.App.Services.GetRequiredService<ExecutionHost>();
        // A loop of 2,000 nodes beside a goal that runs long enough to be caught running.
        var program = "import \"test\"\nprint \"slow\" test.sleep(7, 1500)\nprint \"sum\" length(for i in range(0, 1000) do i * 3)\nprint \"word\" \"a\" + \"b\"";
        var id = await host.Client.SubmitAsync(program, storagePath: "finished-memory");
        var running = (ScheduledExecution)executions.Scheduler.Find(id)!;
        for (var i = 0; i < 1500 && running.Plan is null; i++) await Task.Delay(20); // the plan is made once the store is open
        Assert.NotNull(running.Plan);
        var (plan, dag, nodes) = Weakly(running);
        running = null;
        Assert.True(nodes > 2000, $"{nodes} nodes");

        var final = await host.Client.WaitForEndAsync(id);
        Assert.Equal("completed", final.GetProperty("status").GetString());
        var collected = false;
        for (var i = 0; i < 50 && !collected; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            collected = !plan.IsAlive && !dag.IsAlive;
            if (!collected) await Task.Delay(20); // the finish lets go of them just after it publishes its end
        }

        Assert.False(plan.IsAlive, "the finished execution still holds its plan");
        Assert.False(dag.IsAlive, "the finished execution still holds its DAG");
        var kept = (ScheduledExecution)executions.Scheduler.Find(id)!;
        Assert.True(kept.RetainedDagBytes < nodes * 40L, $"{kept.RetainedDagBytes} bytes kept for {nodes} nodes");

        var progress = await host.Client.GetJsonAsync($"api/v1/execution/{id}/progress");
        Assert.Equal(100, progress.GetProperty("progress_percentage").GetDouble());
        Assert.True(progress.GetProperty("total_nodes").GetInt32() > 2000);
        Assert.False(string.IsNullOrEmpty(progress.GetProperty("dag_id").GetString()));
        var results = await host.Client.GetJsonAsync($"api/v1/execution/{id}/results");
        var goals = Api.GoalsByName(results.GetProperty("goals"));
        Assert.Equal(1000, goals["sum"].GetProperty("value").GetDouble());
        Assert.Equal("ab", goals["word"].GetProperty("value").GetString());
        var list = await host.Client.GetJsonAsync("api/v1/executions");
        Assert.Contains(list.GetProperty("executions").EnumerateArray(), e => e.GetProperty("execution_id").GetString() == id);

        // A late subscriber still gets every goal replayed, then the end.
        var events = await host.Client.ReadEventsAsync(id);
        Assert.Equal(3, events.Count(e => e.Event == "goal-finished"));
        Assert.Equal("execution-finished", events[^1].Event);

        // The store's history names the goals (what reading results later needs).
        var detail = await host.Client.GetJsonAsync($"api/v1/history/{id}?storage_path=finished-memory");
        Assert.Equal(1000, Api.GoalsByName(detail.GetProperty("goals"))["sum"].GetProperty("value").GetDouble());
    }

    // In its own method, so no local of the test keeps the plan or the DAG alive.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (WeakReference Plan, WeakReference Dag, int Nodes) Weakly(ScheduledExecution scheduled)
    {
        return (new WeakReference(scheduled.Plan), new WeakReference(scheduled.Dag), scheduled.Dag.Nodes.Count);
    }
}
