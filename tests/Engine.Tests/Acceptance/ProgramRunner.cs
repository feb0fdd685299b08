using VoxScheduler.Hosting;
using VoxScheduler.Language;
using VoxScheduler.Operations.Builtins;
using VoxScheduler.Scheduling;

namespace VoxScheduler.Tests.Acceptance;

/// <summary>
/// Runs an acceptance program through the engine's public surface (compile → DynamicScheduler
/// with a real sqlite store in a temporary folder, saves relative to a temporary working
/// directory) and checks it against its expected.json.
/// </summary>
public static class ProgramRunner
{
    /// <summary>The outcome of one run.</summary>
    public sealed record Outcome(List<string> Mismatches, ProgramRunResult? Result, string WorkingDirectory);

    /// <summary>Runs <paramref name="name"/> (tests/programs/NAME.imgql); reuse <paramref name="storePath"/> to test caching.</summary>
    public static Task<Outcome> RunAsync(string name, string? storePath = null, string? workingDirectory = null, CancellationToken cancellationToken = default) =>
        RunAsync(AcceptancePrograms.Folder, name, storePath, workingDirectory, cancellationToken);

    /// <summary>Runs FOLDER/NAME.imgql against FOLDER/NAME.expected.json.</summary>
    public static async Task<Outcome> RunAsync(string folder, string name, string? storePath, string? workingDirectory, CancellationToken cancellationToken)
    {
        var expected = ExpectedOutcome.Load(Path.Combine(folder, name + ".expected.json"));
        var work = workingDirectory ?? Directory.CreateTempSubdirectory("vox-run-").FullName;
        storePath ??= Path.Combine(work, ".store");
        await using var scheduler = new DynamicScheduler(BuiltinOperations.CreateRegistry());
        var integration = new VoxLogicaIntegration(scheduler);
        var compile = new CompileOptions { FilePath = Path.Combine(folder, name + ".imgql"), WorkingDirectory = work };
        var config = new ExecutionConfig { StorageBackend = "sqlite", StoragePath = storePath, MaxRetries = 0, RetryFailedNodes = false };
        ProgramRunResult result;
        try
        {
            result = await integration.ExecuteProgramAsync(string.Empty, compile, config, cancellationToken: cancellationToken);
        }
        catch (ValidationException e)
        {
            var problems = e.Problems.Select(p => new ExpectedOutcome.Problem(p.Line, p.Column, p.Message)).ToList();
            return new Outcome(expected.CheckValidation(problems), null, work);
        }

        var goals = result.Goals.Select(g => new ExpectedOutcome.Goal(g.Name, g.Succeeded, g.Value, g.Error)).ToList();
        return new Outcome(expected.CheckRun(goals, work), result, work);
    }
}
