namespace VoxScheduler.Tests;

/// <summary>What a killed server leaves behind is cleared at the next start (issue 14, item 12).</summary>
public sealed class CrashLeftoverTests
{
    [Fact]
    public async Task Empty_output_folders_of_killed_runs_are_removed_at_start()
    {
        var dataRoot = Directory.CreateTempSubdirectory("voxserver-leftovers-").FullName;
        var outputs = Path.Combine(dataRoot, "outputs");
        var leftovers = Enumerable.Range(0, 3).Select(_ => Directory.CreateDirectory(Path.Combine(outputs, Guid.NewGuid().ToString("n"))).FullName).ToList();
        var kept = Directory.CreateDirectory(Path.Combine(outputs, Guid.NewGuid().ToString("n"))).FullName;
        await File.WriteAllTextAsync(Path.Combine(kept, "saved.txt"), "a result a run saved");

        await using var host = await ServerHost.StartAsync(o => o.DataRoot = dataRoot);
        Assert.All(leftovers, f => Assert.False(Directory.Exists(f), f));
        Assert.True(File.Exists(Path.Combine(kept, "saved.txt")));
    }
}
