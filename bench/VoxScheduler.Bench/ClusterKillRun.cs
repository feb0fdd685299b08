using System.Diagnostics;
using System.Text.RegularExpressions;
using VoxScheduler.Cluster.Client;
using VoxScheduler.Cluster.Postgres;
using VoxScheduler.Scheduling;
using VoxScheduler.Storage;

namespace VoxScheduler.Bench;

/// <summary>
/// The cluster mode's kill run: a silo that does not coordinate the execution is SIGKILLed at half
/// the nodes; reported in seconds after the kill are when the coordinator saw it declared dead
/// (its slots left the pool), when it first sent the silo's nodes again, when the run's rate was
/// back (its rate over one second at least the pre-kill rate scaled to the surviving slots) and
/// when it completed; then the store is checked: every node stored, none twice.
/// </summary>
internal static partial class ClusterKillRun
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1);

    public static async Task<Dictionary<string, object?>> RunAsync(BenchCluster cluster, VoxClusterClient client, GraphRecipe recipe, string label)
    {
        var dag = DagMode.Build(recipe);
        var ns = await ClusterMode.FreshNamespaceAsync(cluster.Postgres, label + "-kill");
        var clock = Stopwatch.StartNew();
        var execution = await client.SubmitDagAsync(dag, new ClusterSubmitOptions { StoreNamespace = ns, MaxRetries = 3 });
        var coordinator = cluster.SiloOf(execution.Coordinator);
        var victim = cluster.Silos.First(s => !ReferenceEquals(s, coordinator));
        var samples = new List<(double At, long Done)>();

        ExecutionProgress progress;
        while (true)
        {
            progress = await execution.GetProgressAsync();
            var done = progress.CompletedNodes + progress.CachedNodes;
            samples.Add((clock.Elapsed.TotalSeconds, done));
            if (progress.Status.IsTerminal()) throw new InvalidOperationException($"The run ended ({progress.Status}) before half its nodes were done: make the graph larger.");
            if (done >= dag.Nodes.Count / 2) break;
            await Task.Delay(50);
        }

        var before = RateOver(samples, samples[^1].At);
        // Every "after the kill" time counts from the same instant: just before the SIGKILL.
        var killedUtc = DateTime.UtcNow;
        var killAt = clock.Elapsed.TotalSeconds;
        await victim.Process.KillHardAsync();
        Console.Error.WriteLine($"killed silo {victim.Address} at {killAt:0.00} s, {samples[^1].Done}/{dag.Nodes.Count} nodes done, {before:0} nodes/s before; coordinator {coordinator.Address}");

        // The coordinator's log (stderr): its slot pool losing the silo, and each batch it sends again.
        using var stop = new CancellationTokenSource();
        var watch = WatchLogAsync(coordinator.Process, killedUtc, stop.Token);
        var surviving = (cluster.Silos.Count - 1) / (double)cluster.Silos.Count;
        double? recovered = null;
        var redispatchSeen = false;
        while (!(progress = await execution.GetProgressAsync()).Status.IsTerminal())
        {
            var now = clock.Elapsed.TotalSeconds;
            samples.Add((now, progress.CompletedNodes + progress.CachedNodes));
            redispatchSeen |= watch.FirstRedispatch is not null;
            if (recovered is null && redispatchSeen && now - killAt >= Window.TotalSeconds && RateOver(samples, now) >= before * surviving) recovered = now - killAt;
            await Task.Delay(50);
        }

        var result = await execution.WaitAsync();
        var completed = clock.Elapsed.TotalSeconds - killAt;
        await Task.Delay(200); // the last log lines of the coordinator (a bounded grace, not a wait for work)
        await stop.CancelAsync();
        await watch.Task;

        var (stored, distinct) = await CountAsync(cluster.Postgres.ConnectionString, ns);
        var value = result.Goals.Count == 1 ? result.Goals[0].Value : null;
        var ok = result.Status == ExecutionStatus.Completed && value is ulong u && u == recipe.Expected;
        return new Dictionary<string, object?>
        {
            ["engine"] = "voxscheduler-cluster",
            ["silos"] = cluster.Silos.Count,
            ["slots"] = cluster.Silos.Count * cluster.Slots,
            ["max_batch"] = cluster.MaxBatch,
            ["graph"] = label,
            ["shape"] = recipe.Shape,
            ["nodes"] = dag.Nodes.Count,
            ["graph_sha256"] = DagMode.GraphSha256(dag),
            ["ok"] = ok && distinct == dag.Nodes.Count,
            ["wall_s"] = Math.Round(clock.Elapsed.TotalSeconds, 3),
            ["kill"] = new Dictionary<string, object?>
            {
                ["at_s"] = Math.Round(killAt, 3),
                ["detected_s"] = Seconds(watch.Detected, killedUtc),
                ["first_redispatch_s"] = Seconds(watch.FirstRedispatch, killedUtc),
                ["redispatched"] = watch.Redispatched,
                ["recovered_s"] = recovered is { } r ? Math.Round(r, 3) : null,
                ["completed_s"] = Math.Round(completed, 3),
                ["rate_before"] = Math.Round(before, 1),
                ["lost"] = dag.Nodes.Count - distinct,
                ["stored_twice"] = stored - distinct,
            },
        };
    }

    private static double? Seconds(DateTime? at, DateTime killed) => at is { } t ? Math.Round((t - killed).TotalSeconds, 3) : null;

    /// <summary>Nodes per second over the last <see cref="Window"/> before <paramref name="now"/>.</summary>
    private static double RateOver(List<(double At, long Done)> samples, double now)
    {
        var last = samples[^1];
        var first = samples.LastOrDefault(s => s.At <= now - Window.TotalSeconds, samples[0]);
        return last.At > first.At ? (last.Done - first.Done) / (last.At - first.At) : 0;
    }

    /// <summary>What the coordinator logged after the kill, read as it arrives.</summary>
    private sealed class LogWatch
    {
        public DateTime? Detected { get; set; }

        public DateTime? FirstRedispatch { get; set; }

        public long Redispatched { get; set; }

        public Task Task { get; set; } = Task.CompletedTask;
    }

    private static LogWatch WatchLogAsync(Tests.Support.HostProcess coordinator, DateTime since, CancellationToken stop)
    {
        var watch = new LogWatch();
        watch.Task = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                (string Line, DateTime At)? line;
                try
                {
                    line = await coordinator.WaitForErrorLineAsync(l => l.Contains("left the cluster", StringComparison.Ordinal) || Resent().IsMatch(l),
                        TimeSpan.FromMilliseconds(500));
                }
                catch (TimeoutException)
                {
                    continue; // nothing new yet
                }

                if (line is not { } found) return; // the coordinator ended
                if (found.At < since) continue;
                if (found.Line.Contains("left the cluster", StringComparison.Ordinal))
                {
                    watch.Detected ??= found.At;
                    continue;
                }

                watch.FirstRedispatch ??= found.At;
                watch.Redispatched += long.Parse(Resent().Match(found.Line).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            }
        });
        return watch;
    }

    [GeneratedRegex(@"sending (\d+) nodes again")]
    private static partial Regex Resent();

    /// <summary>Rows in the namespace, and distinct node ids among them.</summary>
    private static async Task<(long Stored, long Distinct)> CountAsync(string connectionString, string ns)
    {
        await using var store = await PostgresResultStore.OpenAsync(connectionString, ns, new StoreOptions { ReadOnly = true });
        var ids = new List<Dag.NodeId>();
        await foreach (var metadata in store.ListAsync()) ids.Add(metadata.NodeId);
        return (ids.Count, ids.Distinct().Count());
    }
}
