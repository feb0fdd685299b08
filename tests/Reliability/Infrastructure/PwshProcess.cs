namespace VoxScheduler.Tests.Infrastructure;

/// <summary>A real <c>pwsh</c> (the repository's local tool, <c>dotnet pwsh</c>) running a script against the built module.</summary>
internal static class PwshProcess
{
    /// <summary>The module built by <c>build.ps1 build</c> (the test task builds it before running the tests).</summary>
    public static string ModuleManifest
    {
        get
        {
            var psd1 = Path.Combine(RepoPaths.Root, "out", "VoxScheduler", "VoxScheduler.psd1");
            Assert.True(File.Exists(psd1), $"The module is not built at {psd1}: run 'dotnet pwsh ./build.ps1 build' (build.ps1 test does).");
            return psd1;
        }
    }

    /// <summary>A script of tests/Reliability/Pwsh.</summary>
    public static string Script(string name) => Path.Combine(RepoPaths.Root, "tests", "Reliability", "Pwsh", name);

    /// <summary>Starts <c>dotnet pwsh -NoProfile -NonInteractive -File script args</c> from the repository root.</summary>
    public static HostProcess Start(string script, string defaultStore, params string[] arguments) =>
        HostProcess.Start(HostProcess.DotnetPath(), ["pwsh", "-NoProfile", "-NonInteractive", "-File", script, .. arguments],
            workingDirectory: RepoPaths.Root,
            environment: new Dictionary<string, string> { ["VOXSCHEDULER_STORE"] = defaultStore, ["NO_COLOR"] = "1", ["POWERSHELL_TELEMETRY_OPTOUT"] = "1" });
}
