using VoxScheduler.Tests.Infrastructure;
using Xunit.Abstractions;

namespace VoxScheduler.Tests.Module;

/// <summary>
/// Random and hostile paths through the VoxStore provider in a real pwsh: every cmdlet answers
/// with output or an ErrorRecord, never a programming error (null reference, index out of
/// range, invalid cast, …), never a hang or a dead process, and the store keeps its results.
/// </summary>
public sealed class ProviderPathFuzzTests(ITestOutputHelper output)
{
    public static TheoryData<string> Backends => new() { "sqlite", "filesystem", "hybrid" };

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Provider_cmdlets_on_random_paths_answer_with_output_or_error_records(string backend)
    {
        using var temp = new TempFolder("vox-provider-fuzz");
        var cases = 300 * ReliabilityCounters.Scale;
        await using var pwsh = PwshProcess.Start(PwshProcess.Script("Invoke-ProviderFuzz.ps1"), temp.Sub("default"),
            "-Module", PwshProcess.ModuleManifest, "-Store", temp.Combine("store"), "-Count", cases.ToString(), "-Backend", backend);
        var code = await pwsh.WaitForExitAsync(TimeSpan.FromMinutes(3));
        var lines = pwsh.Output;
        output.WriteLine(string.Join('\n', lines.Where(l => l.StartsWith("ERRORID", StringComparison.Ordinal) || l.StartsWith("BAD", StringComparison.Ordinal)
            || l.StartsWith("PSINTERNAL", StringComparison.Ordinal))));
        Assert.True(code == 0, $"pwsh ended with {code}: {pwsh.Tail()}\n{pwsh.Error}");
        Assert.Contains($"CASES {cases}", lines);
        var bad = lines.Where(l => l.StartsWith("BAD", StringComparison.Ordinal)).ToList();
        Assert.True(bad.Count == 0, string.Join('\n', bad));
        ReliabilityCounters.Add("fuzz.provider", cases);
    }
}
