using System.Text.Json;
using VoxScheduler.Images;

namespace VoxScheduler.Tests.Images;

/// <summary>NIfTI-1 reading and writing (IMAGES.md §2), checked against nibabel's values for the same files.</summary>
public sealed class NiftiTests
{
    public static TheoryData<string> RealFiles => new() { "anatomical.nii", "standard.nii.gz", "reoriented_anat_moved.nii" };

    public static TheoryData<string> DatatypeFiles => new()
    {
        "u1-le.nii", "i1-le.nii", "i2-le.nii", "u2-le.nii", "i4-le.nii", "u4-le.nii", "i8-le.nii", "u8-le.nii", "f4-le.nii", "f8-le.nii",
        "u1-be.nii", "i1-be.nii", "i2-be.nii", "u2-be.nii", "i4-be.nii", "u4-be.nii", "i8-be.nii", "u8-be.nii", "f4-be.nii", "f8-be.nii",
        "scaled-i2-le.nii", "scaled-i2-be.nii.gz",
    };

    [Theory]
    [MemberData(nameof(RealFiles))]
    public void Nibabels_test_files_read_with_nibabels_values_and_affine(string name)
    {
        var expected = ImageFixtures.Expected("nibabel", name);
        var image = Assert.IsType<Image>(ImageFixtures.Load(ImageFixtures.File("nibabel", name)));
        AssertMatches(expected, image);
    }

    [Fact]
    public void A_size_one_third_axis_gives_a_2D_image()
    {
        var image = Assert.IsType<Image>(ImageFixtures.Load(ImageFixtures.File("slice-2d.nii.gz")));
        Assert.Equal(2, image.Geometry.Dimensions);
        AssertMatches(ImageFixtures.Expected("nibabel", "slice-2d.nii.gz"), image);
    }

    [Theory]
    [MemberData(nameof(DatatypeFiles))]
    public void Every_datatype_in_both_byte_orders_and_scaled_reads_as_nibabel_reads_it_and_round_trips(string name)
    {
        var expected = ImageFixtures.Expected("datatypes", name);
        var image = Assert.IsType<Image>(ImageFixtures.Load(ImageFixtures.File("datatypes", name)));
        Assert.Equal(VoxelKind.Number, image.Kind);
        var values = expected.GetProperty("values").EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();
        Assert.Equal(values, image.Numbers.ToArray());
        AssertMatches(expected, image);

        foreach (var target in new[] { "x.nii", "x.nii.gz" })
        {
            var back = Assert.IsType<Image>(ImageFixtures.Read(target, ImageFixtures.Save(target, image)));
            Assert.Equal(image.Numbers.ToArray(), back.Numbers.ToArray());
            Assert.Equal(image.Geometry, back.Geometry); // orientation fields verbatim
        }
    }

    [Theory]
    [InlineData("rgb24.nii", VoxelKind.Rgb)]
    [InlineData("rgba32.nii", VoxelKind.Rgba)]
    public void Colour_files_read_as_colour_images_and_round_trip(string name, VoxelKind kind)
    {
        var expected = ImageFixtures.Expected("datatypes", name);
        var image = Assert.IsType<Image>(ImageFixtures.Load(ImageFixtures.File("datatypes", name)));
        Assert.Equal(kind, image.Kind);
        var components = expected.GetProperty("components").EnumerateArray().SelectMany(v => v.EnumerateArray().Select(c => (float)c.GetInt32())).ToArray();
        Assert.Equal(components, image.Components.ToArray());
        var bytes = ImageFixtures.Save("x.nii", image);
        Assert.Equal(kind == VoxelKind.Rgb ? 128 : 2304, BitConverter.ToInt16(bytes, 70));
        var back = Assert.IsType<Image>(ImageFixtures.Read("x.nii", bytes));
        Assert.Equal(components, back.Components.ToArray());
    }

    [Fact]
    public void Boolean_images_are_written_as_uint8_zero_or_one_and_colours_clamped_and_rounded_half_to_even()
    {
        var geometry = ImageGeometry.Of3D(3, 2, 1 + 1);
        var mask = Image.FromBooleans(geometry, [1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 1, 1]);
        var bytes = ImageFixtures.Save("m.nii", mask);
        Assert.Equal(2, BitConverter.ToInt16(bytes, 70)); // uint8
        Assert.Equal(mask.Booleans.ToArray(), bytes[352..]);

        var colour = Image.FromColours(ImageGeometry.Of2D(2, 1), VoxelKind.Rgb, [2.5f, 3.5f, -1f, 300f, float.NaN, 254.5f]);
        var written = ImageFixtures.Save("c.nii", colour);
        Assert.Equal(new byte[] { 2, 4, 0, 255, 0, 254 }, written[352..]);
    }

    [Fact]
    public void An_image_that_never_was_NIfTI_is_written_with_an_sform_and_qform_of_its_geometry()
    {
        var direction = new double[] { 0, 1, 0, -1, 0, 0, 0, 0, 1 };
        var geometry = ImageGeometry.Create(3, 3, 2, 2, new Vector3D(0.5, 2, 3), new Vector3D(10, -20, 30), direction);
        var image = Image.FromNumbers(geometry, Enumerable.Range(0, 12).Select(i => (float)i).ToArray());
        var back = Assert.IsType<Image>(ImageFixtures.Read("g.nii.gz", ImageFixtures.Save("g.nii.gz", image)));
        Assert.True(back.Geometry.SameSpace(geometry, 1e-5), back.Geometry + " vs " + geometry);
        Assert.Equal(1, back.Geometry.Nifti!.SformCode);
        Assert.Equal(1, back.Geometry.Nifti.QformCode);

        // the qform alone gives the same space: blank the sform and read again
        var bytes = ImageFixtures.Save("g.nii", image);
        bytes[254] = 0;
        var qformOnly = Assert.IsType<Image>(ImageFixtures.Read("g.nii", bytes));
        Assert.True(qformOnly.Geometry.SameSpace(geometry, 1e-5), qformOnly.Geometry.Origin + " " + string.Join(",", qformOnly.Geometry.Direction));
    }

    [Fact]
    public void NIfTI_2_is_a_clear_error_naming_the_file()
    {
        var path = ImageFixtures.File("nibabel", "example_nifti2.nii.gz");
        var e = Assert.Throws<InvalidDataException>(() => ImageFixtures.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("NIfTI-2", e.Message);
    }

    [Fact]
    public void A_4D_file_with_more_than_one_volume_is_a_clear_error_naming_the_file()
    {
        var path = ImageFixtures.File("nibabel", "example4d.nii.gz");
        var e = Assert.Throws<InvalidDataException>(() => ImageFixtures.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("4-D", e.Message);
        Assert.Contains("×2", e.Message);
    }

    [Fact]
    public void A_4D_file_with_one_volume_reads_as_3D()
    {
        var bytes = File.ReadAllBytes(ImageFixtures.File("datatypes", "f4-le.nii"));
        bytes[40] = 4; // dim[0] = 4, dim[4] is already 1
        bytes[48] = 1;
        var image = Assert.IsType<Image>(ImageFixtures.Read("v.nii", bytes));
        Assert.Equal(3, image.Geometry.Dimensions);
    }

    [Fact]
    public void Damaged_and_unsupported_files_are_clear_errors()
    {
        var good = File.ReadAllBytes(ImageFixtures.File("datatypes", "f4-le.nii"));
        Assert.Contains("ends early", Assert.Throws<InvalidDataException>(() => ImageFixtures.Read("t.nii", good[..400])).Message);
        Assert.Contains("not a NIfTI-1 file", Assert.Throws<InvalidDataException>(() => ImageFixtures.Read("t.nii", new byte[400])).Message);
        Assert.Contains("ends inside its NIfTI-1 header", Assert.Throws<InvalidDataException>(() => ImageFixtures.Read("t.nii", good[..200])).Message);
        Assert.Contains("gzip", Assert.Throws<InvalidDataException>(() => ImageFixtures.Read("t.nii.gz", [0x1F, 0x8B, 1, 2, 3, 4, 5])).Message);

        var complex = good.ToArray();
        complex[70] = 32; // COMPLEX64
        Assert.Contains("datatype 32 (complex)", Assert.Throws<InvalidDataException>(() => ImageFixtures.Read("t.nii", complex)).Message);
        var vector = good.ToArray();
        vector[40] = 5;
        vector[48] = 1;
        vector[50] = 3; // dim[5] = 3 components
        Assert.Contains("3 values per voxel", Assert.Throws<InvalidDataException>(() => ImageFixtures.Read("t.nii", vector)).Message);
        var pair = good.ToArray();
        "ni1\0"u8.CopyTo(pair.AsSpan(344));
        Assert.Contains(".hdr/.img pair", Assert.Throws<InvalidDataException>(() => ImageFixtures.Read("t.nii", pair)).Message);
        Assert.Contains(".hdr/.img pair", Assert.Throws<InvalidDataException>(() => ImageFixtures.Read("t.hdr", good)).Message);
    }

    private static void AssertMatches(JsonElement expected, Image image)
    {
        var shape = expected.GetProperty("shape").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        Assert.Equal(shape[0], image.Geometry.Width);
        Assert.Equal(shape[1], image.Geometry.Height);
        Assert.Equal(shape.Length > 2 ? shape[2] : 1, image.Geometry.Depth);
        var numbers = image.Numbers;
        var sum = 0.0;
        foreach (var v in numbers) sum += v;
        var expectedSum = expected.GetProperty("sum").GetDouble();
        // each voxel is rounded to float32 (half an ulp, 2^-24 relative) before we add
        var largest = Math.Max(Math.Abs(expected.GetProperty("min").GetDouble()), Math.Abs(expected.GetProperty("max").GetDouble()));
        var tolerance = 1e-9 * Math.Max(1, Math.Abs(expectedSum)) + numbers.Length * largest * Math.Pow(2, -24);
        Assert.True(Math.Abs(sum - expectedSum) <= tolerance, $"sum {sum} vs nibabel {expectedSum}");
        var (min, max, _) = image.Statistics();
        Assert.Equal((float)expected.GetProperty("min").GetDouble(), min);
        Assert.Equal((float)expected.GetProperty("max").GetDouble(), max);
        Assert.Equal((float)expected.GetProperty("first").GetDouble(), numbers[0]);
        Assert.Equal((float)expected.GetProperty("last").GetDouble(), numbers[^1]);
        Assert.Equal((float)expected.GetProperty("middle").GetDouble(), numbers[numbers.Length / 2]);
        var spacing = expected.GetProperty("spacing").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.Equal(spacing[0], image.Geometry.Spacing.X, 5);
        Assert.Equal(spacing[1], image.Geometry.Spacing.Y, 5);
        Assert.Equal(expected.GetProperty("qform_code").GetInt32(), image.Geometry.Nifti!.QformCode);
        Assert.Equal(expected.GetProperty("sform_code").GetInt32(), image.Geometry.Nifti.SformCode);

        // nibabel's affine (RAS) from our geometry (LPS direction and origin, spacing)
        var affine = expected.GetProperty("affine").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var g = image.Geometry;
        var s = new[] { g.Spacing.X, g.Spacing.Y, g.Spacing.Z };
        for (var row = 0; row < 3; row++)
        {
            var flip = row < 2 ? -1 : 1;
            for (var col = 0; col < (g.Dimensions == 2 ? 2 : 3); col++)
            {
                Assert.Equal(affine[4 * row + col], flip * g.Direction[3 * row + col] * s[col], 4);
            }
        }

        Assert.Equal(affine[3], -g.Origin.X, 4);
        Assert.Equal(affine[7], -g.Origin.Y, 4);
        Assert.Equal(affine[11], g.Origin.Z, 4);
    }
}
