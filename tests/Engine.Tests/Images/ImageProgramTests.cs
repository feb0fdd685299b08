using VoxScheduler.Images;
using VoxScheduler.Execution;
using VoxScheduler.Hosting;
using VoxScheduler.Language;
using VoxScheduler.Operations.Builtins;
using VoxScheduler.Scheduling;
using VoxScheduler.Tests.Storage;

namespace VoxScheduler.Tests.Images;

/// <summary><c>load</c> and <c>save</c> of images in real programs: dispatch through the value kinds, a real sqlite store, a rerun from the store.</summary>
public sealed class ImageProgramTests
{
    private const string Program = """
        a = load("anatomical.nii")
        s = load("slice-2d.nii.gz")
        save "out/a.nii.gz" a
        save "out/s.png" s
        print "a" a
        print "s" s
        """;

    [Fact]
    public async Task Images_are_loaded_stored_and_saved_through_their_kind_and_a_rerun_is_served_from_the_store()
    {
        using var work = new TempFolder();
        File.Copy(ImageFixtures.File("nibabel", "anatomical.nii"), work.Combine("anatomical.nii"));
        File.Copy(ImageFixtures.File("slice-2d.nii.gz"), work.Combine("slice-2d.nii.gz"));
        var expected = Assert.IsType<Image>(ImageFixtures.Load(work.Combine("anatomical.nii")));
        // a small streaming threshold makes the stored anatomical image a large object: the rerun saves it from a store stream
        var config = new ExecutionConfig { StorageBackend = "sqlite", StoragePath = work.Combine(".store"), StreamingThreshold = 50_000, MaxRetries = 0 };

        for (var run = 0; run < 2; run++)
        {
            await using var scheduler = new DynamicScheduler(BuiltinOperations.CreateRegistry());
            var result = await new VoxLogicaIntegration(scheduler).ExecuteProgramAsync(Program, new CompileOptions { WorkingDirectory = work.Path }, config);
            Assert.All(result.Goals, g => Assert.True(g.Succeeded, g.Name + ": " + g.Error));
            if (run == 1) Assert.All(result.Goals, g => Assert.Equal(NodeStatus.Cached, g.Status));

            var saved = Assert.IsType<Image>(ImageFixtures.Load(work.Combine("out/a.nii.gz")));
            Assert.Equal(expected.Numbers.ToArray(), saved.Numbers.ToArray());
            Assert.Equal(expected.Geometry, saved.Geometry);
            var png = Assert.IsType<Image>(ImageFixtures.Load(work.Combine("out/s.png")));
            Assert.Equal((33, 41, 2), (png.Geometry.Width, png.Geometry.Height, png.Geometry.Dimensions));
            Assert.Equal(255f, png.Statistics().Max); // anatomical intensities reach 30393: clamped

            var small = Assert.IsType<Image>(result.Goals.Single(g => g.Name == "s").Value);
            Assert.Equal(33 * 41, small.Numbers.Length);
            File.Delete(work.Combine("out/a.nii.gz"));
            File.Delete(work.Combine("out/s.png"));
        }
    }

    [Fact]
    public async Task Images_refuse_files_of_other_kinds_and_unsupported_NIfTI_is_a_load_error_naming_the_file()
    {
        using var work = new TempFolder();
        File.Copy(ImageFixtures.File("slice-2d.nii.gz"), work.Combine("slice-2d.nii.gz"));
        File.Copy(ImageFixtures.File("nibabel", "example4d.nii.gz"), work.Combine("example4d.nii.gz"));
        const string program = """
            s = load("slice-2d.nii.gz")
            save "s.txt" s
            save "n.png" 3
            print "four" load("example4d.nii.gz")
            """;
        await using var scheduler = new DynamicScheduler(BuiltinOperations.CreateRegistry());
        var result = await new VoxLogicaIntegration(scheduler).ExecuteProgramAsync(program, new CompileOptions { WorkingDirectory = work.Path },
            new ExecutionConfig { StorageBackend = "none", MaxRetries = 0 });
        var goals = result.Goals.ToDictionary(g => g.Name);
        Assert.Contains("image values are saved as .nii, .nii.gz, .png, .jpg, .jpeg, not as s.txt", goals.Values.Single(g => g.Path?.EndsWith("s.txt") == true || g.Error?.Contains("s.txt") == true).Error);
        Assert.Contains("n.png is a file of image values; the value is number", result.Goals.Single(g => g.Error?.Contains("n.png") == true).Error);
        var four = goals["four"];
        Assert.False(four.Succeeded);
        Assert.Contains("example4d.nii.gz is a 4-D image", four.Error);
        Assert.False(File.Exists(work.Combine("s.txt")));
        Assert.False(File.Exists(work.Combine("n.png")));
    }
}
