using System.Diagnostics;
using VoxScheduler.Cluster.Client;
using VoxScheduler.Cluster.Postgres;
using VoxScheduler.Dag;
using VoxScheduler.Operations.Builtins;
using VoxScheduler.Scheduling;
using VoxScheduler.Storage;
using Xunit.Abstractions;

namespace VoxScheduler.Tests.ClusterProcess;

/// <summary>
/// Issue 16's multi-process test: PostgreSQL and Redis started here on loopback ports, three silo
/// processes joined through Redis, a large DAG submitted by a client, and one silo (not the one
/// coordinating) SIGKILLed mid-run. The run must complete with every result correct, nothing
/// lost and nothing stored twice; the time from the kill to the first node sent again is written
/// to the test output (a measurement, not an assertion).
/// </summary>
[Trait("Category", "Cluster")]
public sealed class SiloKillTests(ITestOutputHelper output)
{
    private const int Slots = 4;

    /// <summary>100 bodies of 1,000 items (i * 1000000 + j, through test.spin with no rounds) summed: 100,402 nodes, sent as a program (a DAG of that size is past the cluster's submission limit) and compiled by the coordinator.</summary>
    private const string TrivialProgram = """
        import "test"
        let body(i) = sum(for j in range(0, 1000) do spin(i * 1000000 + j, 0))
        print "total" sum(for i in range(0, 50) do body(i))
        """;

    [Fact]
    public async Task A_silo_killed_mid_run_loses_nothing_on_100k_trivial_nodes()
    {
        await using var reference = await ReferenceStore.ProgramAsync(TrivialProgram);
        Assert.True(reference.Count >= 100_000, $"{reference.Count} results");
        await RunWithKillAsync(client => (ns, token) => client.SubmitProgramAsync(TrivialProgram, new ClusterSubmitOptions { StoreNamespace = ns, MaxRetries = 3 }, token),
            reference.Count, reference, killAtFraction: 0.3, TimeSpan.FromSeconds(170));
    }

    [Fact]
    public async Task A_silo_killed_mid_run_loses_nothing_on_10ms_nodes()
    {
        // 60 layers of 40 test.sleep(x, 10) nodes: 2,400 nodes of 10 ms on 12 slots.
        var dag = Sleepers(width: 40, layers: 60, milliseconds: 10);
        await using var reference = await ReferenceStore.DagAsync(dag);
        await RunWithKillAsync(client => (ns, token) => client.SubmitDagAsync(dag, new ClusterSubmitOptions { StoreNamespace = ns, MaxRetries = 3 }, token),
            dag.Nodes.Count, reference, killAtFraction: 0.3, TimeSpan.FromSeconds(120));
    }

    private async Task RunWithKillAsync(Func<VoxClusterClient, Func<string, CancellationToken, Task<ClusterExecution>>> submit, int nodes, ReferenceStore reference,
        double killAtFraction, TimeSpan patience)
    {
        var clock = Stopwatch.StartNew();
        await using var cluster = await ClusterProcesses.StartAsync(silos: 3, slots: Slots);
        output.WriteLine($"cluster {cluster.ClusterId}: PostgreSQL, Redis and 3 silos ready in {clock.Elapsed.TotalSeconds:0.0} s ({string.Join(", ", cluster.Silos.Select(s => s.Address))})");
        await using var client = await cluster.ConnectAsync();
        var ns = "kill-" + Guid.NewGuid().ToString("N")[..10];
        using var deadline = new CancellationTokenSource(patience);

        var started = Stopwatch.StartNew();
        var execution = await submit(client)(ns, deadline.Token);
        var coordinator = cluster.Silos.SingleOrDefault(s => execution.Coordinator.StartsWith(s.Address, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"The coordinator {execution.Coordinator} is none of the silos {string.Join(", ", cluster.Silos.Select(s => s.Address))}.");
        var victim = cluster.Silos.First(s => !ReferenceEquals(s, coordinator));

        // Mid-run: the progress is the signal (a bounded poll of the coordinator).
        var killAt = (long)(nodes * killAtFraction);
        ExecutionProgress progress;
        while ((progress = await execution.GetProgressAsync(deadline.Token)).CompletedNodes + progress.CachedNodes < killAt)
        {
            Assert.False(progress.Status.IsTerminal(), $"The execution ended before the kill: {progress.Status}");
            await Task.Delay(50, deadline.Token);
        }

        var killedAt = DateTime.UtcNow;
        await victim.Process.KillHardAsync();
        output.WriteLine($"killed silo {victim.Address} (pid {victim.Process.Id}) at {started.Elapsed.TotalSeconds:0.00} s, {progress.CompletedNodes + progress.CachedNodes}/{progress.TotalNodes} nodes done; coordinator {coordinator.Address}");

        var resent = await coordinator.Process.WaitForErrorLineAsync(l => l.Contains("sending", StringComparison.Ordinal) && l.Contains("nodes again", StringComparison.Ordinal), patience);
        Assert.True(resent is not null, $"The coordinator never sent a lost silo's nodes again:\n{coordinator.Process.Error}");
        output.WriteLine($"kill -> first nodes sent again: {(resent.Value.At - killedAt).TotalSeconds:0.00} s ({resent.Value.Line.Trim()})");

        var result = await execution.WaitAsync(deadline.Token);
        output.WriteLine($"completed in {started.Elapsed.TotalSeconds:0.0} s: {result.Status}, {result.Progress.CompletedNodes} computed, {result.Progress.CachedNodes} cached, {result.Progress.FailedNodes} failed");
        Assert.Equal(ExecutionStatus.Completed, result.Status);
        Assert.Equal(0, result.Progress.FailedNodes);

        await VerifyStoreAsync(cluster.Postgres.ConnectionString, ns, reference);
    }

    /// <summary>Every result of the local reference run is stored in the cluster's namespace, once, with the same value; nothing else is.</summary>
    private async Task VerifyStoreAsync(string connectionString, string ns, ReferenceStore reference)
    {
        var clock = Stopwatch.StartNew();
        await using var store = await PostgresResultStore.OpenAsync(connectionString, ns, new StoreOptions { ReadOnly = true });
        var listed = new List<StorageMetadata>();
        await foreach (var metadata in store.ListAsync()) listed.Add(metadata);
        // Stored twice would list twice (a row per copy).
        Assert.Equal(listed.Count, listed.Select(m => m.NodeId).Distinct().Count());
        var stored = listed.ToDictionary(m => m.NodeId);
        var missing = reference.Ids.Where(id => !stored.ContainsKey(id)).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} of {reference.Count} results are missing, e.g. {string.Join(", ", missing.Take(3))}");
        var extra = stored.Keys.Where(id => !reference.Ids.Contains(id)).ToList();
        Assert.True(extra.Count == 0, $"{extra.Count} results no local run makes, e.g. {string.Join(", ", extra.Take(3))}");

        // Every value: its content hash (of the encoded value, the same on every backend) is the local run's.
        var wrong = reference.Metadata.Where(m => m.ContentHash is null || stored[m.NodeId].ContentHash != m.ContentHash).Select(m => m.NodeId).ToList();
        Assert.True(wrong.Count == 0, $"{wrong.Count} results differ from the local run's, e.g. {string.Join(", ", wrong.Take(3))}");
        // And a sample read back whole (each read is verified against the stored hash): the bytes are the local run's.
        var sample = reference.Ids.OrderBy(id => id.ToString(), StringComparer.Ordinal).Where((_, i) => i % 50 == 0).ToList();
        foreach (var id in sample)
        {
            var bytes = await store.RetrieveAsync(id);
            var expected = await reference.Store.RetrieveAsync(id);
            Assert.True(bytes is not null && expected is not null && bytes.AsSpan().SequenceEqual(expected), $"The stored value of {id} is not the local run's.");
        }

        output.WriteLine($"store checked in {clock.Elapsed.TotalSeconds:0.0} s: {stored.Count} results, each once, the same as a local run's, every content hash equal, {sample.Count} values read back equal");
    }

    private static int Revision(string name) =>
        BuiltinOperations.CreateRegistry().TryGet(name, out var operation) ? operation.Revision : throw new InvalidOperationException($"no operation {name}");

    /// <summary>Chains of test.sleep(x, ms), one per position, layer after layer.</summary>
    private static DagDefinition Sleepers(int width, int layers, int milliseconds)
    {
        var sleep = Revision("test.sleep");
        var builder = new DagBuilder(width * layers + width + 2);
        var ms = builder.Constant((double)milliseconds);
        var previous = new int[width];
        for (var k = 0; k < width; k++)
        {
            previous[k] = builder.Constant((double)(k + 1) * 1000 + layers);
        }

        for (var l = 1; l <= layers; l++)
        {
            var current = new int[width];
            for (var k = 0; k < width; k++)
            {
                current[k] = builder.Operation("test.sleep", sleep, [previous[k], ms]);
            }

            previous = current;
        }

        for (var k = 0; k < width; k++) builder.AddGoal(new DagGoal($"s{k}", GoalKind.Node, previous[k]));
        return builder.Build("sleep-kill");
    }
}
