using VoxScheduler.Dag;
using VoxScheduler.Storage;
using VoxScheduler.Tests.Infrastructure;
using Xunit.Abstractions;

namespace VoxScheduler.Tests.Crash;

/// <summary>
/// A VoxHost child runs a long DAG (test.spin / test.sleep chains and test.blob large results)
/// on a real store and is SIGKILLed at many points; after every kill the store must open, every
/// stored result must verify and equal the uninterrupted run's bytes, and a re-submission must
/// compute exactly what was not durable and end with the uninterrupted run's results.
/// </summary>
public sealed class KillResumeTests(ITestOutputHelper output)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);

    public static TheoryData<string> Backends => new() { "sqlite", "filesystem", "hybrid" };

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task A_run_killed_at_many_points_resumes_computing_only_what_was_not_durable(string backend)
    {
        using var temp = new TempFolder("vox-crash");
        // Sessions of 7 kills on a fresh store each (the soak runs more sessions): with more kills
        // on one store the last runs would have nothing left to cut short.
        const int kills = 7;
        string[] DagArgs(string store) => ["run-dag", "--backend", backend, "--store", store, "--width", "6", "--depth", "20",
            "--spin", "1", "--sleep", "20", "--blobs", "3", "--blob-mb", "1", "--concurrency", "2"];

        // The uninterrupted run gives the reference bytes of every result.
        var referenceStore = temp.Sub("reference");
        HostRun reference;
        TimeSpan runTime;
        await using (var host = HostProcess.StartVoxHost(DagArgs(referenceStore)))
        {
            await host.WaitForLineAsync(l => l.StartsWith("SUBMITTED", StringComparison.Ordinal), RunTimeout);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await host.WaitForLineAsync(l => l.StartsWith("END", StringComparison.Ordinal), RunTimeout);
            runTime = clock.Elapsed;
            reference = HostRun.Parse(await host.WaitForExitAsync(RunTimeout), host.Output, host.Error);
        }

        Assert.True(reference.ExitCode == 0 && reference.EndStatus == "Completed", $"reference run failed: {reference}");
        var referenceResults = await StoreInspector.ReadAllAsync(backend, referenceStore);
        var operationCount = reference.Computed.Count;
        Assert.True(operationCount >= 150, $"the DAG should have many operation nodes, the reference computed {operationCount}");
        Assert.True(reference.Computed.All(referenceResults.ContainsKey), "the reference run left a computed result unstored");

        var totalKills = 0;
        for (var session = 0; session < ReliabilityCounters.Scale; session++)
        {
            var store = temp.Sub($"killed{session}");
            var random = new Random(backend.GetHashCode(StringComparison.Ordinal) ^ session);
            var durable = new HashSet<NodeId>();
            var killed = 0;
            for (var k = 0; k < kills; k++)
            {
                await using var host = HostProcess.StartVoxHost(DagArgs(store));
                if (k == 0)
                {
                    // The first kill lands during start-up: store creation, schema, first submit.
                    await Task.Delay(random.Next(50, 400));
                }
                else
                {
                    // Later kills are spread over the run, by time (output lines lag behind the work):
                    // a twentieth to a third of the time the remaining work takes; the last one right
                    // after the start, so the final resume still has real work.
                    await host.WaitForLineAsync(l => l.StartsWith("SUBMITTED", StringComparison.Ordinal), RunTimeout);
                    var left = runTime * ((double)Math.Max(1, operationCount - durable.Count) / operationCount);
                    var delay = k == kills - 1 ? TimeSpan.Zero : left * (0.03 + random.NextDouble() * 0.2);
                    if (await host.TryWaitForLineAsync(l => l.StartsWith("END", StringComparison.Ordinal), delay)) output.WriteLine($"kill {k}: the run ended before the kill point ({delay.TotalMilliseconds:F0} ms)");
                }

                await host.KillHardAsync();
                if (host.Error.Contains("Unhandled exception", StringComparison.Ordinal))
                {
                    Assert.Fail($"the host crashed on its own before the kill: {host.Error}");
                }

                killed++;
                // The store opens cleanly and every stored result verifies and is the right value.
                var stored = await StoreInspector.ReadAllAsync(backend, store);
                foreach (var (id, bytes) in stored)
                {
                    Assert.True(referenceResults.TryGetValue(id, out var expected), $"kill {k}: {id} is stored but was never a result of the DAG");
                    Assert.True(expected.AsSpan().SequenceEqual(bytes), $"kill {k}: {id} is stored with different bytes than the uninterrupted run");
                }

                Assert.True(durable.IsSubsetOf(stored.Keys), $"kill {k}: a result that was durable before this run is gone");
                durable = stored.Keys.ToHashSet();
                output.WriteLine($"{backend} session {session} kill {k}: {durable.Count}/{referenceResults.Count} results durable");
            }

            // Resume: only what was not durable is computed, and the end state is the reference's.
            var resumed = await HostRun.RunAsync(RunTimeout, DagArgs(store));
            Assert.True(resumed.ExitCode == 0 && resumed.EndStatus == "Completed", $"the resumed run failed: {resumed}");
            var recomputed = resumed.Computed.Where(durable.Contains).ToList();
            Assert.True(recomputed.Count == 0, $"the resumed run recomputed {recomputed.Count} durable results, e.g. {recomputed.FirstOrDefault()}");
            Assert.True(resumed.Progress["failed"] == 0 && resumed.Progress["skipped"] == 0, $"the resumed run had failures: {resumed}");
            // Completed is every node done; computed and cached split it.
            Assert.True(resumed.Progress["total"] == resumed.Progress["completed"]
                && resumed.Progress["completed"] == resumed.Progress["computed"] + resumed.Progress["cached"],
                $"progress does not add up: {string.Join(", ", resumed.Progress)}");
            var needed = reference.NeededOperations(durable);
            var missing = needed.Where(id => !resumed.Computed.Contains(id)).ToList();
            var extra = resumed.Computed.Where(id => !needed.Contains(id)).ToList();
            Assert.True(missing.Count == 0 && extra.Count == 0,
                $"the resumed run should compute exactly the {needed.Count} needed results that were not durable; it missed {missing.Count} and computed {extra.Count} more");
            // The progress counters agree: every needed operation completed (constants are counted too).
            Assert.True(resumed.Progress["computed"] >= needed.Count, $"progress reports {resumed.Progress["computed"]} computed, {needed.Count} operations were needed");
            Assert.Equal(reference.Goals.Count, resumed.Goals.Count);
            foreach (var (name, goal) in reference.Goals)
            {
                Assert.True(resumed.Goals.TryGetValue(name, out var again), $"goal {name} missing after resume");
                Assert.True(again.Status is "Completed" or "Cached", $"goal {name} is {again.Status} after resume");
                Assert.True(goal.Digest == again.Digest, $"goal {name} differs from the uninterrupted run");
            }

            var final = await StoreInspector.ReadAllAsync(backend, store);
            foreach (var (id, bytes) in final)
            {
                Assert.True(referenceResults.TryGetValue(id, out var expected) && expected.AsSpan().SequenceEqual(bytes), $"{id} differs from the uninterrupted run");
            }

            Assert.True(durable.IsSubsetOf(final.Keys), "a durable result disappeared during the resumed run");
            await using (var history = await StoreFactory.OpenAsync(backend, store))
            {
                // Every killed run that got as far as recording itself reads back Interrupted, never Running.
                var records = await history.ListExecutionsAsync().ToListAsync();
                Assert.Contains(records, r => r.Status == "Completed");
                var stuck = records.Where(r => r.Status is not ("Completed" or "Interrupted")).ToList();
                Assert.True(stuck.Count == 0, $"executions of killed processes are reported as {string.Join(", ", stuck.Select(r => r.Status))}");
            }

            Assert.True(resumed.Computed.All(final.ContainsKey), "a result computed by the resumed run is not in the store");
            Assert.True(reference.PlanGoals.All(final.ContainsKey), "a goal's result is not in the store after the resumed run");

            if (needed.Count == 0)
            {
                // Timing on a loaded machine can let the runs finish before the kills; the checks
                // above still hold (nothing was recomputed), there was just nothing left to do.
                output.WriteLine($"{backend} session {session}: every result was durable before the final resume");
            }

            ReliabilityCounters.Add("kills", killed);
            totalKills += killed;
            output.WriteLine($"{backend} session {session}: {killed} kills survived, resume computed {resumed.Computed.Count} of {operationCount} operations");
        }

        output.WriteLine($"{backend}: {totalKills} kills survived");
    }
}
