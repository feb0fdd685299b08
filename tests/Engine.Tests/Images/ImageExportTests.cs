using VoxScheduler.Images;

namespace VoxScheduler.Tests.Images;

/// <summary>The display PNG of an axial slice and the NIfTI bytes the front ends hand out (issue #15 item 7).</summary>
public sealed class ImageExportTests
{
    private static float[] SlicePixels(Image image, int? slice)
    {
        using var png = new MemoryStream();
        ImageExport.WriteAxialSlicePng(png, image, slice);
        var back = Assert.IsType<Image>(ImageFixtures.Read("s.png", png.ToArray()));
        return back.Numbers.ToArray();
    }

    [Fact]
    public void A_number_slice_is_windowed_from_the_volume_min_to_its_max_not_clamped()
    {
        // Slice 0 holds -100 and 0, slice 1 holds 100 and 900: the window is -100 .. 900 over the whole volume.
        var image = Image.FromNumbers(ImageGeometry.Of3D(2, 1, 2), [-100f, 0f, 100f, 900f]);
        Assert.Equal(new float[] { 0, 26 }, SlicePixels(image, 0)); // 100 / 1000 × 255 = 25.5 → 26 (half to even)
        Assert.Equal(new float[] { 51, 255 }, SlicePixels(image, 1));
        Assert.Equal(new float[] { 51, 255 }, SlicePixels(image, null)); // middle of 2 slices is slice 1
    }

    [Fact]
    public void Constant_and_NaN_voxels_are_black_and_a_boolean_slice_is_0_and_255()
    {
        Assert.Equal(new float[] { 0, 0 }, SlicePixels(Image.FromNumbers(ImageGeometry.Of2D(2, 1), [7f, 7f]), null));
        Assert.Equal(new float[] { 0, 0, 255 }, SlicePixels(Image.FromNumbers(ImageGeometry.Of2D(3, 1), [float.NaN, 1f, 3f]), null));
        Assert.Equal(new float[] { 255, 0, 0, 255 }, SlicePixels(Image.FromBooleans(ImageGeometry.Of3D(2, 2, 1), [1, 0, 0, 1]), 0));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(-1)]
    public void A_slice_outside_the_image_is_an_error_stating_the_range(int slice)
    {
        var image = Image.FromNumbers(ImageGeometry.Of3D(1, 1, 3), [1f, 2f, 3f]);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ImageExport.WriteAxialSlicePng(new MemoryStream(), image, slice));
        Assert.Contains($"Slice {slice} is outside the image: it has 3 axial slices (0 to 2).", e.Message);
    }

    [Fact]
    public void The_NIfTI_bytes_read_back_as_the_same_image()
    {
        var image = Image.FromNumbers(ImageGeometry.Create(3, 2, 2, 2, new Vector3D(1, 2, 3)), [0f, 1f, 2f, 3f, 4f, 5f, 6f, 7.5f]);
        foreach (var (name, compressed) in new[] { ("x.nii", false), ("x.nii.gz", true) })
        {
            using var file = new MemoryStream();
            ImageExport.WriteNifti(file, image, compressed);
            var back = Assert.IsType<Image>(ImageFixtures.Read(name, file.ToArray()));
            Assert.Equal(image.Numbers.ToArray(), back.Numbers.ToArray());
            Assert.Equal(new Vector3D(1, 2, 3), back.Geometry.Spacing);
        }
    }
}
