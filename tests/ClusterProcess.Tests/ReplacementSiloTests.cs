using System.Diagnostics;
using VoxScheduler.Cluster.Client;
using VoxScheduler.Scheduling;
using Xunit.Abstractions;

namespace VoxScheduler.Tests.ClusterProcess;

/// <summary>
/// A silo SIGKILLed (it never tells the membership table it left) and a new one started with the
/// same cluster id, as an operator restarts a crashed machine's silo (issue 16): the new silo is
/// ready and runs work within a stated, generous bound (a functional bound, not a measurement: the
/// times are written to the output).
/// </summary>
[Trait("Category", "Cluster")]
public sealed class ReplacementSiloTests(ITestOutputHelper output)
{
    /// <summary>Kill to a completed run on the replacement. Without the 5 s heartbeat it took 76–104 s (the dead entry went stale 60 s after its last heartbeat); with it, 21 s at load 14 and 45 s at load 60.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_silo_replacing_a_killed_one_under_the_same_cluster_id_runs_work_within_60_s()
    {
        await using var cluster = await ClusterProcesses.StartAsync(silos: 1, slots: 2);
        var dead = cluster.Silos[0];
        await using (var first = await cluster.ConnectAsync())
        {
            var warm = await (await first.SubmitProgramAsync("print \"x\" 6 * 7", new ClusterSubmitOptions { StoreNamespace = "replace" })).WaitAsync();
            Assert.Equal(ExecutionStatus.Completed, warm.Status);
        }

        await dead.Process.KillHardAsync();
        var clock = Stopwatch.StartNew();
        var replacement = await cluster.AddSiloAsync(slots: 2);
        var ready = clock.Elapsed;
        await using var client = await cluster.ConnectAsync();
        var connected = clock.Elapsed;
        var execution = await client.SubmitProgramAsync("print \"y\" 6 * 8", new ClusterSubmitOptions { StoreNamespace = "replace" });
        var submitted = clock.Elapsed;
        var result = await execution.WaitAsync().WaitAsync(Bound);
        var ran = clock.Elapsed;
        output.WriteLine($"kill -> replacement ready {ready.TotalSeconds:0.0} s, client connected {connected.TotalSeconds:0.0} s, "
            + $"submitted {submitted.TotalSeconds:0.0} s, a run completed on it {ran.TotalSeconds:0.0} s");
        output.WriteLine(replacement.Process.Error);
        Assert.Equal(ExecutionStatus.Completed, result.Status);
        Assert.Equal(48.0, Assert.Single(result.Goals).Value);
        Assert.StartsWith(replacement.Address, execution.Coordinator, StringComparison.Ordinal);
        Assert.True(ran < Bound, $"the replacement silo ran work {ran.TotalSeconds:0.0} s after the kill (bound {Bound.TotalSeconds} s)");
    }
}
