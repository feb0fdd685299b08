using System.Text;
using VoxScheduler.Tests.Infrastructure;
using Xunit.Abstractions;

namespace VoxScheduler.Tests.Module;

/// <summary>
/// pwsh processes (the built module, Submit-VoxDag through a VoxStore drive) and engine hosts
/// (VoxHost run-program) submit overlapping programs to one sqlite store at the same moment:
/// all complete, no "database is locked" reaches anyone, every shared goal has one value, and
/// nothing is lost (running every program again computes nothing).
/// </summary>
public sealed class PwshAndEngineContentionTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task Two_pwsh_and_two_engine_processes_share_one_store_and_agree()
    {
        using var temp = new TempFolder("vox-pwsh-contend");
        var store = temp.Sub("store");
        var module = PwshProcess.ModuleManifest;
        var programs = Enumerable.Range(0, 4).Select(i =>
        {
            var file = temp.Combine($"p{i}.imgql");
            File.WriteAllText(file, Program(offset: i * 3, width: 6, depth: 10));
            return file;
        }).ToList();

        var processes = new List<(string Kind, HostProcess Process)>
        {
            ("pwsh", PwshProcess.Start(PwshProcess.Script("Submit-Contending.ps1"), temp.Sub("default0"), "-Module", module, "-Program", programs[0], "-Store", store)),
            ("engine", HostProcess.StartVoxHost("run-program", "--file", programs[1], "--backend", "sqlite", "--store", store)),
            ("pwsh", PwshProcess.Start(PwshProcess.Script("Submit-Contending.ps1"), temp.Sub("default2"), "-Module", module, "-Program", programs[2], "-Store", store)),
            ("engine", HostProcess.StartVoxHost("run-program", "--file", programs[3], "--backend", "sqlite", "--store", store)),
        };
        var runs = new List<HostRun>();
        try
        {
            foreach (var (kind, process) in processes)
            {
                var code = await process.WaitForExitAsync(Timeout);
                var run = HostRun.Parse(code, process.Output, process.Error);
                Assert.True(code == 0 && run.EndStatus == "Completed", $"{kind} process failed: {run}");
                Assert.DoesNotContain("locked", string.Join('\n', process.Output) + process.Error, StringComparison.OrdinalIgnoreCase);
                Assert.Equal(10, run.Goals.Count);
                runs.Add(run);
            }
        }
        finally
        {
            foreach (var (_, process) in processes) await process.DisposeAsync();
        }

        // Goals with the same content id (shared columns) have one value, whoever computed it.
        var byId = runs.SelectMany(r => r.GoalIds.Select(g => (Id: g.Value, r.Goals[g.Key].Digest))).GroupBy(g => g.Id).ToList();
        Assert.Contains(byId, g => g.Count() > 1);
        Assert.All(byId, g => Assert.Single(g.Select(x => x.Digest).Distinct()));

        // Nothing lost, everything verifies, and the values are those of a run without contention.
        var stored = await StoreInspector.ReadAllAsync("sqlite", store);
        foreach (var (run, i) in runs.Select((r, i) => (r, i)))
        {
            foreach (var (name, id) in run.GoalIds)
            {
                Assert.True(stored.ContainsKey(id), $"process {i}: goal {name} is not in the store");
            }

            var again = await HostRun.RunAsync(Timeout, "run-program", "--file", programs[i], "--backend", "sqlite", "--store", store);
            Assert.True(again.ExitCode == 0, again.ToString());
            Assert.True(again.Computed.Count == 0, $"program {i} recomputed {again.Computed.Count} results after the contention");
            var alone = await HostRun.RunAsync(Timeout, "run-program", "--file", programs[i], "--backend", "none");
            foreach (var (name, goal) in run.Goals)
            {
                Assert.True(goal.Digest == again.Goals[name].Digest && goal.Digest == alone.Goals[name].Digest, $"process {i}: goal {name} disagrees");
            }
        }

        ReliabilityCounters.Add("contention.processes.pwsh+engine", processes.Count);
        output.WriteLine($"2 pwsh + 2 engine processes on one store: {stored.Count} results, {byId.Count(g => g.Count() > 1)} goals shared, nothing lost");
    }

    /// <summary>Columns of test.spin/test.sleep chains; programs with overlapping offsets share nodes.</summary>
    internal static string Program(int offset, int width, int depth)
    {
        var text = new StringBuilder("import \"test\"\n");
        for (var c = 0; c < width; c++) text.Append($"c0_{c} = {offset + c}\n");
        for (var d = 1; d <= depth; d++)
        {
            for (var c = 0; c < width; c++)
            {
                var right = c + 1 < width ? c + 1 : c;
                var call = d % 2 == 0 ? $"test.sleep(c{d - 1}_{c} + c{d - 1}_{right}, 3)" : $"test.spin(c{d - 1}_{c} + c{d - 1}_{right}, 1)";
                text.Append($"c{d}_{c} = {call}\n");
            }
        }

        for (var c = 0; c < width; c++) text.Append($"print \"column{c}\" c{depth}_{c}\n");
        // Level 2 of a column whose cone stays inside the range is the same node in every program
        // covering that global column: those goals are computed by several processes at once.
        for (var c = 0; c + 2 < width; c++) text.Append($"print \"mid{offset + c}\" c2_{c}\n");
        return text.ToString();
    }
}
