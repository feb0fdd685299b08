using VoxScheduler.Execution;
using VoxScheduler.Scheduling;
using VoxScheduler.Tests.Acceptance;

namespace VoxScheduler.Tests.Language;

/// <summary>Every program of tests/programs through compile → DynamicScheduler → sqlite store, checked against its expected.json.</summary>
public sealed class ProgramAcceptanceTests
{
    public static TheoryData<string> Programs => AcceptancePrograms.Names();

    [Theory]
    [MemberData(nameof(Programs))]
    public async Task Program_runs_to_its_expected_output(string name)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var outcome = await ProgramRunner.RunAsync(name, cancellationToken: timeout.Token);
        try
        {
            Assert.True(outcome.Mismatches.Count == 0, string.Join(Environment.NewLine, outcome.Mismatches));
        }
        finally
        {
            Directory.Delete(outcome.WorkingDirectory, recursive: true);
        }
    }

    private static readonly string OwnPrograms = Path.Combine(RepoPaths.Root, "tests", "Engine.Tests", "Language", "Programs");

    public static TheoryData<string> LanguagePrograms => AcceptancePrograms.Names(OwnPrograms);

    [Theory]
    [MemberData(nameof(LanguagePrograms))]
    public async Task Language_program_runs_to_its_expected_output(string name)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var outcome = await ProgramRunner.RunAsync(OwnPrograms, name, null, null, timeout.Token);
        try
        {
            Assert.True(outcome.Mismatches.Count == 0, string.Join(Environment.NewLine, outcome.Mismatches));
        }
        finally
        {
            Directory.Delete(outcome.WorkingDirectory, recursive: true);
        }
    }

    private static readonly string GalleryPrograms = Path.Combine(RepoPaths.Programs, "gallery");

    public static TheoryData<string> Gallery => AcceptancePrograms.Names(GalleryPrograms);

    /// <summary>
    /// VoxLogicA-2's public gallery programs (tests/programs/gallery), run in their own folder so
    /// their relative loads find the committed fixture; the store goes to a temporary folder.
    /// </summary>
    [Theory]
    [MemberData(nameof(Gallery))]
    public async Task Gallery_program_runs_to_its_expected_output(string name)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var store = Directory.CreateTempSubdirectory("vox-gallery-").FullName;
        try
        {
            var outcome = await ProgramRunner.RunAsync(GalleryPrograms, name, Path.Combine(store, "store"), GalleryPrograms, timeout.Token);
            Assert.True(outcome.Mismatches.Count == 0, string.Join(Environment.NewLine, outcome.Mismatches));
            Assert.NotEmpty(outcome.Result!.Goals);
        }
        finally
        {
            Directory.Delete(store, recursive: true);
        }
    }

    [Fact]
    public async Task Run_time_loops_are_served_from_the_store_on_the_second_run()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var work = Directory.CreateTempSubdirectory("vox-run-").FullName;
        try
        {
            var store = Path.Combine(work, ".store");
            var first = await ProgramRunner.RunAsync(OwnPrograms, "runtime-loops", store, work, timeout.Token);
            Assert.Empty(first.Mismatches);
            var second = await ProgramRunner.RunAsync(OwnPrograms, "runtime-loops", store, work, timeout.Token);
            Assert.Empty(second.Mismatches);
            Assert.All(second.Result!.Goals, g => Assert.Equal(NodeStatus.Cached, g.Status));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public async Task A_second_run_on_the_same_store_serves_every_goal_from_the_store()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var work = Directory.CreateTempSubdirectory("vox-run-").FullName;
        try
        {
            var store = Path.Combine(work, ".store");
            var first = await ProgramRunner.RunAsync("sequences", store, work, timeout.Token);
            Assert.Empty(first.Mismatches);
            var second = await ProgramRunner.RunAsync("sequences", store, work, timeout.Token);
            Assert.Empty(second.Mismatches);
            Assert.All(second.Result!.Goals, g => Assert.Equal(NodeStatus.Cached, g.Status));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
