using VoxScheduler.Images;

namespace VoxScheduler.Tests.Images;

/// <summary>PNG, JPEG and BMP through Skia (IMAGES.md §2).</summary>
public sealed class RasterTests
{
    [Fact]
    public void A_number_image_saved_as_PNG_is_clamped_rounded_half_to_even_and_reads_back_as_grayscale_numbers()
    {
        var image = Image.FromNumbers(ImageGeometry.Of2D(3, 2), [0.5f, 1.5f, 2.5f, -4f, 300f, 128f]);
        var back = Assert.IsType<Image>(ImageFixtures.Read("p.png", ImageFixtures.Save("p.png", image)));
        Assert.Equal(VoxelKind.Number, back.Kind);
        Assert.Equal(2, back.Geometry.Dimensions);
        Assert.Equal((3, 2), (back.Geometry.Width, back.Geometry.Height));
        Assert.Equal(new float[] { 0, 2, 2, 0, 255, 128 }, back.Numbers.ToArray());
    }

    [Fact]
    public void A_boolean_image_is_written_as_0_and_255()
    {
        var mask = Image.FromBooleans(ImageGeometry.Of2D(2, 2), [1, 0, 0, 1]);
        var back = Assert.IsType<Image>(ImageFixtures.Read("m.png", ImageFixtures.Save("m.png", mask)));
        Assert.Equal(new float[] { 255, 0, 0, 255 }, back.Numbers.ToArray());
    }

    [Theory]
    [InlineData(VoxelKind.Rgb)]
    [InlineData(VoxelKind.Rgba)]
    public void Colour_images_round_trip_through_PNG(VoxelKind kind)
    {
        var n = kind.Components();
        var components = Enumerable.Range(0, 6 * n).Select(i => (float)(i * 41 % 256)).ToArray();
        if (kind == VoxelKind.Rgba)
        {
            for (var i = 3; i < components.Length; i += 4) components[i] = 255 - i; // translucent, never 0 (unpremultiplied is kept)
        }

        var image = Image.FromColours(ImageGeometry.Of2D(3, 2), kind, components);
        var back = Assert.IsType<Image>(ImageFixtures.Read("c.png", ImageFixtures.Save("c.png", image)));
        Assert.Equal(kind, back.Kind);
        Assert.Equal(components, back.Components.ToArray());
    }

    [Fact]
    public void JPEG_keeps_grayscale_and_size_within_its_loss()
    {
        var voxels = Enumerable.Range(0, 16 * 16).Select(i => (float)(i % 16 * 8 + i / 16 * 4)).ToArray();
        var image = Image.FromNumbers(ImageGeometry.Of2D(16, 16), voxels);
        foreach (var name in new[] { "j.jpg", "j.jpeg" })
        {
            var bytes = ImageFixtures.Save(name, image);
            Assert.Equal(new byte[] { 0xFF, 0xD8 }, bytes[..2]);
            var back = Assert.IsType<Image>(ImageFixtures.Read(name, bytes));
            Assert.Equal(VoxelKind.Number, back.Kind);
            var worst = voxels.Zip(back.Numbers.ToArray(), (a, b) => Math.Abs(a - b)).Max();
            Assert.True(worst <= 8, $"largest JPEG error {worst}");
        }
    }

    [Fact]
    public void Palette_PNG_reads_as_colour_with_row_0_as_y_0()
    {
        byte[] palette = [255, 0, 0, 0, 255, 0, 0, 0, 255];
        var png = PngBytes.Png(2, 2, 8, 3, [[0, 1], [2, 2]], palette);
        var image = Assert.IsType<Image>(ImageFixtures.Read("pal.png", png));
        Assert.Equal(VoxelKind.Rgb, image.Kind);
        Assert.Equal(new float[] { 255, 0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 255 }, image.Components.ToArray());
    }

    [Fact]
    public void BMP_reads_top_row_first()
    {
        byte[][] rows = [[0, 0, 255, 0, 255, 0], [255, 0, 0, 255, 255, 255]]; // BGR: red, green / blue, white
        var image = Assert.IsType<Image>(ImageFixtures.Read("b.bmp", PngBytes.Bmp24(2, 2, rows)));
        Assert.Equal(VoxelKind.Rgb, image.Kind);
        Assert.Equal(new float[] { 255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255 }, image.Components.ToArray());
    }

    [Fact]
    public void Sixteen_bit_PNG_three_D_images_and_BMP_output_are_clear_errors()
    {
        var png16 = PngBytes.Png(1, 1, 16, 0, [[0x12, 0x34]]);
        Assert.Contains("16-bit PNG", Assert.Throws<InvalidDataException>(() => ImageFixtures.Read("deep.png", png16)).Message);
        var volume = Image.FromNumbers(ImageGeometry.Of3D(2, 2, 2), new float[8]);
        Assert.Contains("2-D", Assert.Throws<InvalidOperationException>(() => ImageFixtures.Save("v.png", volume)).Message);
        Assert.Null(VoxScheduler.Values.ValueKinds.WriterFor("x.bmp"));
        Assert.Contains("not an image", Assert.Throws<InvalidDataException>(() => ImageFixtures.Read("junk.png", [1, 2, 3, 4, 5])).Message);
    }
}
