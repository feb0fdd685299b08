using VoxScheduler.Dag;
using VoxScheduler.Tests.Infrastructure;
using Xunit.Abstractions;

namespace VoxScheduler.Tests.Contention;

/// <summary>
/// Two and four engine processes submit overlapping DAGs to one store at the same moment:
/// every process completes, no "database is locked" (or any storage error) reaches it, shared
/// results agree, and nothing is lost (a later run of every DAG computes nothing).
/// </summary>
public sealed class ConcurrentHostsTests(ITestOutputHelper output)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);

    public static TheoryData<string, int> Cases => new()
    {
        { "sqlite", 2 },
        { "sqlite", 4 },
        { "filesystem", 4 },
        { "hybrid", 4 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Processes_submitting_overlapping_DAGs_to_one_store_agree_and_lose_nothing(string backend, int processes)
    {
        using var temp = new TempFolder("vox-contend");
        var store = temp.Sub("store");
        const int width = 6;
        string[] Args(int i) => ["run-dag", "--backend", backend, "--store", store, "--width", width.ToString(), "--depth", "12",
            "--offset", (i * width / 2).ToString(), "--spin", "1", "--sleep", "2", "--blobs", "2", "--blob-mb", "1", "--concurrency", "4"];

        var hosts = Enumerable.Range(0, processes).Select(i => HostProcess.StartVoxHost(Args(i))).ToList();
        var runs = new List<HostRun>();
        try
        {
            foreach (var host in hosts)
            {
                var code = await host.WaitForExitAsync(RunTimeout);
                runs.Add(HostRun.Parse(code, host.Output, host.Error));
            }
        }
        finally
        {
            foreach (var host in hosts) await host.DisposeAsync();
        }

        for (var i = 0; i < runs.Count; i++)
        {
            var run = runs[i];
            Assert.DoesNotContain("locked", run.Output + run.Error, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("busy", run.Error, StringComparison.OrdinalIgnoreCase);
            Assert.True(run.ExitCode == 0 && run.EndStatus == "Completed", $"process {i} did not complete: {run}");
            Assert.All(run.Goals, g => Assert.True(g.Value.Status is "Completed" or "Cached", $"process {i}: goal {g.Key} is {g.Value.Status}: {g.Value.Error}"));
        }

        // The processes share work: the same content ids appear in several of their plans.
        var shared = runs.SelectMany(r => r.Plan.Keys.Where(id => r.Plan[id].Operator != "constant")).GroupBy(id => id).Count(g => g.Count() > 1);
        Assert.True(shared > 0, "the DAGs were meant to overlap");

        // Nothing lost: every result any process computed is stored and verifies...
        var stored = await StoreInspector.ReadAllAsync(backend, store);
        foreach (var (run, i) in runs.Select((r, i) => (r, i)))
        {
            var lost = run.Computed.Where(id => !stored.ContainsKey(id)).ToList();
            Assert.True(lost.Count == 0, $"process {i} computed {lost.Count} results that are not in the store, e.g. {lost.FirstOrDefault()}");
        }

        // All results agree: each process's goal values are the store's, and the same as a run of
        // that DAG alone in a fresh store; and running every DAG again on the shared store computes nothing.
        for (var i = 0; i < processes; i++)
        {
            foreach (var (name, id) in runs[i].GoalIds)
            {
                var digest = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stored[id]));
                Assert.True(digest == runs[i].Goals[name].Digest, $"process {i}: goal {name} differs from the stored value");
            }

            var alone = await HostRun.RunAsync(RunTimeout, [.. Args(i).Select(a => a == store ? temp.Sub($"alone{i}") : a)]);
            Assert.True(alone.ExitCode == 0, $"run {i} alone: {alone}");
            var again = await HostRun.RunAsync(RunTimeout, Args(i));
            Assert.True(again.ExitCode == 0, $"re-run {i}: {again}");
            Assert.True(again.Computed.Count == 0, $"re-run {i} recomputed {again.Computed.Count} results that should have been stored");
            foreach (var (name, goal) in runs[i].Goals)
            {
                Assert.True(alone.Goals[name].Digest == goal.Digest, $"process {i}: goal {name} differs from a run without contention");
                Assert.True(again.Goals[name].Digest == goal.Digest, $"process {i}: goal {name} differs on the re-run");
            }
        }

        ReliabilityCounters.Add($"contention.processes.{processes}", processes);
        output.WriteLine($"{backend}: {processes} processes, {stored.Count} results stored, {shared} nodes shared, nothing lost");
    }
}
