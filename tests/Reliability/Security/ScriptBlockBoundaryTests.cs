using VoxScheduler.Tests.Infrastructure;
using Xunit.Abstractions;

namespace VoxScheduler.Tests.Security;

/// <summary>
/// Script-block operations run with the caller's rights in the process that registered them and
/// nowhere else: a store written by such a run gives another process no way to run the script
/// (its program is refused as using an unknown operation), and stored values that look like
/// scripts come back as strings, never run.
/// </summary>
public sealed class ScriptBlockBoundaryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_store_never_brings_a_script_block_back_and_script_text_stays_data()
    {
        using var temp = new TempFolder("vox-scriptblock");
        var store = temp.Combine("store");
        var marker = temp.Combine("operation-ran.txt");
        var scriptMarker = temp.Combine("stored-script-ran.txt");
        string[] Args(string phase) => ["-Module", PwshProcess.ModuleManifest, "-Store", store, "-Phase", phase, "-Marker", marker, "-ScriptMarker", scriptMarker];

        // Where it was registered, the script-block operation runs (and leaves its marker).
        await using (var first = PwshProcess.Start(PwshProcess.Script("Test-ScriptBlockBoundary.ps1"), temp.Sub("default1"), Args("register")))
        {
            var code = await first.WaitForExitAsync(TimeSpan.FromMinutes(2));
            output.WriteLine(string.Join('\n', first.Output));
            Assert.True(code == 0, $"register phase failed: {first.Tail()}\n{first.Error}");
            Assert.Contains(first.Output, l => l.StartsWith("RESULT r Completed System.Double 42", StringComparison.Ordinal));
            Assert.Contains(first.Output, l => l.StartsWith("RESULT s Completed System.String {", StringComparison.Ordinal));
        }

        Assert.True(File.Exists(marker), "the registered script-block operation should have run in its own process");
        File.Delete(marker);

        // A fresh process on the same store: the program is refused (unknown operation), the
        // script never runs, and every stored value reads back as plain data.
        await using var fresh = PwshProcess.Start(PwshProcess.Script("Test-ScriptBlockBoundary.ps1"), temp.Sub("default2"), Args("fresh"));
        var exit = await fresh.WaitForExitAsync(TimeSpan.FromMinutes(2));
        output.WriteLine(string.Join('\n', fresh.Output));
        Assert.True(exit == 0, $"fresh phase failed: {fresh.Tail()}\n{fresh.Error}");
        Assert.Contains(fresh.Output, l => l.StartsWith("REFUSED", StringComparison.Ordinal));
        Assert.DoesNotContain("ACCEPTED", fresh.Output);
        var types = fresh.Output.Where(l => l.StartsWith("TYPE ", StringComparison.Ordinal)).Select(l => l.Split(' ')[2]).ToList();
        Assert.NotEmpty(types);
        Assert.All(types, t => Assert.Contains(t, new[] { "System.Double", "System.String", "System.Boolean", "System.Object[]", "System.Byte[]", "null" }));
        Assert.Contains("System.String", types);
        Assert.False(File.Exists(marker), "the script-block operation ran in a process that never registered it");
        Assert.False(File.Exists(scriptMarker), "a stored value that looks like a script was run");
    }
}
