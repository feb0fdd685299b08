using VoxScheduler.Dag;
using VoxScheduler.Images;
using VoxScheduler.Operations;
using VoxScheduler.Operations.Builtins;

namespace VoxScheduler.Tests.Images;

/// <summary>The <c>load</c> operation on image files, called directly: what it allocates and how it fails.</summary>
public sealed class LoadOperationTests
{
    private static readonly OperationRegistry Registry = BuiltinOperations.CreateRegistry();

    private static readonly Operation LoadVolatile = Registry.TryGet("default.load_volatile", out var op) ? op : throw new InvalidOperationException("default.load_volatile is not registered");

    private static object? Load(TempFolder work, string file)
    {
        var load = LoadVolatile;
        var context = new OperationContext(load, NodeId.Hash("{\"kind\":\"load-test\"}"u8), [file], null,
            new OperationEnvironment { WorkingDirectory = work.Path }, CancellationToken.None);
        var pending = load.ExecuteAsync(context);
        Assert.True(pending.IsCompleted, "load runs synchronously");
        return pending.Result.Value; // a failed load throws its exception here
    }

    private static string WriteScan(TempFolder work, float offset)
    {
        var geometry = ImageGeometry.Of3D(128, 128, 64); // 1 M voxels: a 4 MiB float32 .nii
        var voxels = new float[geometry.VoxelCount];
        for (var i = 0; i < voxels.Length; i++) voxels[i] = (i % 97) + offset;
        var path = work.Combine($"scan{offset}.nii");
        File.WriteAllBytes(path, ImageFixtures.Save(path, Image.FromNumbers(geometry, voxels)));
        return Path.GetFileName(path);
    }

    [Fact]
    public void Loading_an_image_allocates_its_voxels_but_no_second_array_the_size_of_the_file()
    {
        // A dataset loads one scan per case: a fresh array of the file's size per load piled up until
        // a full collection, so peak memory grew with the number of cases, not with the budget.
        using var work = new TempFolder();
        var first = WriteScan(work, 0);
        var second = WriteScan(work, 1);
        var fileBytes = new FileInfo(work.Combine(second)).Length;
        Assert.IsType<Image>(Load(work, first)); // warm: code, pooled read buffer

        var before = GC.GetAllocatedBytesForCurrentThread();
        var image = Assert.IsType<Image>(Load(work, second));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(1f, image.Numbers[0]);
        Assert.Equal(97f, image.Numbers[96]);
        Assert.Equal(1f + (1_048_575 % 97), image.Numbers[^1]);
        // The voxels are new (4 MiB, the earlier image still holds its buffer); the file's bytes are not.
        Assert.True(allocated < fileBytes * 3 / 2, $"a load of a {fileBytes}-byte file allocated {allocated} bytes");
    }

    [Fact]
    public void Loading_a_compressed_scan_on_another_thread_reuses_the_decompression_block_of_an_earlier_load()
    {
        // A dataset decompresses one .nii.gz per case on whichever thread runs it. The block of the
        // runtime's shared array pool stayed with the thread that returned it (and was rounded up to
        // a power of two), so a load on another thread allocated a fresh one: most cases added one.
        using var work = new TempFolder();
        var geometry = ImageGeometry.Of3D(128, 128, 64); // 1 M voxels: 4 MiB of float32, a small .nii.gz
        var voxels = new float[geometry.VoxelCount];
        for (var i = 0; i < voxels.Length; i++) voxels[i] = i % 97;
        foreach (var name in new[] { "a.nii.gz", "b.nii.gz" })
        {
            File.WriteAllBytes(work.Combine(name), ImageFixtures.Save(work.Combine(name), Image.FromNumbers(geometry, voxels)));
        }

        var imageBytes = geometry.VoxelCount * sizeof(float);
        Image? first = null, second = null;
        long allocated = 0;
        var warm = new Thread(() => first = Assert.IsType<Image>(Load(work, "a.nii.gz")));
        warm.Start();
        warm.Join();
        var other = new Thread(() =>
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            second = Assert.IsType<Image>(Load(work, "b.nii.gz"));
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        });
        other.Start();
        other.Join();

        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.Equal(voxels, second!.Numbers.ToArray());
        // The new image's voxels (the first image still holds its buffer), but no second block for the decompressed file.
        Assert.True(allocated < imageBytes * 3 / 2, $"a load of a {imageBytes}-byte compressed scan on a second thread allocated {allocated} bytes");
        GC.KeepAlive(first);
    }

    [Fact]
    public void A_scan_that_is_not_valid_fails_the_node_with_the_files_name_and_a_missing_one_says_it_cannot_be_read()
    {
        using var work = new TempFolder();
        File.WriteAllBytes(work.Combine("broken.nii"), new byte[100]);
        var broken = Assert.ThrowsAny<Exception>(() => Load(work, "broken.nii"));
        Assert.Contains("broken.nii", broken.Message);
        Assert.IsNotType<InvalidDataException>(broken); // a node failure, not the reader's exception escaping

        var missing = Assert.ThrowsAny<Exception>(() => Load(work, "absent.nii.gz"));
        Assert.Contains("cannot read", missing.Message);
        Assert.Contains("absent.nii.gz", missing.Message);
    }
}
