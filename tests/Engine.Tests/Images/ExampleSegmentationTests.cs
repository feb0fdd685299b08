using VoxScheduler.Hosting;
using VoxScheduler.Images;
using VoxScheduler.Language;
using VoxScheduler.Operations.Builtins;
using VoxScheduler.Scheduling;

namespace VoxScheduler.Tests.Images;

/// <summary>
/// The README's image example (examples/images/segment.imgql) on its phantom: it must find the
/// lesion make-phantom.py drew (the ellipsoid (x−50)² + (y−30)² + (1.2(z−26))² &lt; 9², about 2,545
/// voxels), judged against that geometry, not against a figure our own code produced.
/// </summary>
public sealed class ExampleSegmentationTests
{
    [Fact]
    public async Task The_example_segmentation_finds_the_phantom_lesion_and_its_rerun_is_served_from_the_store()
    {
        using var temp = new TempFolder();
        var work = temp.Sub("work");
        var caseFolder = Path.Combine(work, "examples", "images", "case");
        Directory.CreateDirectory(caseFolder);
        File.Copy(Path.Combine(RepoPaths.Examples, "images", "case", "flair.nii.gz"), Path.Combine(caseFolder, "flair.nii.gz"));
        var program = Path.Combine(RepoPaths.Examples, "images", "segment.imgql");

        await using var scheduler = new DynamicScheduler(BuiltinOperations.CreateRegistry());
        var integration = new VoxLogicaIntegration(scheduler);
        var compile = new CompileOptions { FilePath = program, WorkingDirectory = work };
        var config = new ExecutionConfig { StorageBackend = "sqlite", StoragePath = temp.Combine("store"), MaxRetries = 0 };
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var result = await integration.ExecuteProgramAsync(string.Empty, compile, config, cancellationToken: timeout.Token);

        Assert.All(result.Goals, g => Assert.True(g.Succeeded, $"{g.Name}: {g.Error}"));
        var mask = Assert.IsType<Image>(result.Goals.Single(g => g.Name == "out/tumour.nii.gz").Value);
        Assert.True(File.Exists(Path.Combine(work, "out", "tumour.nii.gz")), "the mask was not saved");
        Assert.Equal((80, 80, 50), (mask.Geometry.Width, mask.Geometry.Height, mask.Geometry.Depth));

        var voxels = mask.BooleanMemory.Span;
        long found = 0, truth = 0, both = 0;
        for (var z = 0; z < 50; z++)
        for (var y = 0; y < 80; y++)
        for (var x = 0; x < 80; x++)
        {
            var inLesion = Math.Sqrt(((x - 50) * (x - 50)) + ((y - 30) * (y - 30)) + Math.Pow((z - 26) * 1.2, 2)) < 9;
            var segmented = voxels[x + (80 * (y + (80 * z)))] != 0;
            truth += inLesion ? 1 : 0;
            found += segmented ? 1 : 0;
            both += inLesion && segmented ? 1 : 0;
        }

        var dice = 2.0 * both / (found + truth);
        Assert.True(dice >= 0.9, $"Dice {dice:F3} against the drawn lesion ({found} voxels found, {truth} drawn, {both} shared)");
        Assert.Equal((double)found, Convert.ToDouble(result.Goals.Single(g => g.Name == "volume").Value, System.Globalization.CultureInfo.InvariantCulture));

        var rerun = await integration.ExecuteProgramAsync(string.Empty, compile, config, cancellationToken: timeout.Token);
        Assert.All(rerun.Goals, g => Assert.True(g.Succeeded, $"{g.Name}: {g.Error}"));
        Assert.Equal(0, rerun.Progress.ComputedNodes); // nothing computed again: every goal came from the store
        Assert.True(rerun.Progress.CachedNodes > 0);
    }
}
