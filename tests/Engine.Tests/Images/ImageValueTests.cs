using VoxScheduler.Images;
using VoxScheduler.Storage;
using VoxScheduler.Tests.Storage;
using VoxScheduler.Values;

namespace VoxScheduler.Tests.Images;

public sealed class ImageValueTests
{
    private static readonly NiftiOrientation Orientation = new()
    {
        QformCode = 1,
        SformCode = 2,
        Quaternion = (0.1f, -0.2f, 0.3f),
        QOffset = (-90f, 126f, -72f),
        Qfac = -1,
        Srow = [-2, 0, 0, 90, 0, 2, 0, -126, 0, 0, 2, -72],
        XyztUnits = 10,
    };

    private static readonly ImageGeometry Geometry3D = ImageGeometry.Create(3, 4, 3, 2, new Vector3D(1, 1.5, 2.5), new Vector3D(-90, 126, -72),
        [-1, 0, 0, 0, 1, 0, 0, 0, 1], Orientation);

    public static TheoryData<string> Kinds => new() { "boolean", "number", "rgb", "rgba" };

    private static Image Sample(string kind) => kind switch
    {
        "boolean" => Image.FromBooleans(Geometry3D, Enumerable.Range(0, 24).Select(i => (byte)(i % 3 == 0 ? 1 : 0)).ToArray()),
        "number" => Image.FromNumbers(Geometry3D, Enumerable.Range(0, 24).Select(i => i * 0.5f - 3).ToArray()),
        "rgb" => Image.FromColours(Geometry3D, VoxelKind.Rgb, Enumerable.Range(0, 72).Select(i => (float)i).ToArray()),
        _ => Image.FromColours(ImageGeometry.Of2D(3, 2), VoxelKind.Rgba, Enumerable.Range(0, 24).Select(i => 255f - i).ToArray()),
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Images_round_trip_through_the_codec_with_kind_geometry_and_voxels(string kind)
    {
        var image = Sample(kind);
        var encoded = ValueCodec.Encode(image);
        Assert.Equal(ImageValueKind.ImageTag, encoded[0]);
        Assert.Equal(256 + image.RawBytes.Length, encoded.Length); // tag + 255-byte header + raw voxels

        foreach (var decoded in new[] { ValueCodec.Decode(encoded), ValueCodec.Decode((ReadOnlySpan<byte>)encoded), DecodeFromStream(encoded) })
        {
            var back = Assert.IsType<Image>(decoded);
            Assert.Equal(image.Kind, back.Kind);
            Assert.Equal(image.Geometry, back.Geometry);
            Assert.Equal(image.RawBytes.ToArray(), back.RawBytes.ToArray());
            Assert.Equal(image.ToString(), back.ToString());
        }
    }

    [Fact]
    public void Decoding_an_array_keeps_it_as_the_voxel_buffer_without_a_copy()
    {
        var encoded = ValueCodec.Encode(Sample("number"));
        var image = (Image)ValueCodec.Decode(encoded)!;
        encoded[256] ^= 0xFF; // the caller promised never to do this: it shows the buffer is shared
        Assert.NotEqual(-3f, image.Numbers[0]);
    }

    [Fact]
    public void Stream_encoding_writes_header_then_voxels_as_the_buffer_encoding_does()
    {
        var image = Sample("rgb");
        using var stream = new MemoryStream();
        ValueCodec.Encode(stream, image);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        ValueCodec.Encode(buffer, image);
        Assert.Equal(buffer.WrittenSpan.ToArray(), stream.ToArray());
        Assert.Equal(buffer.WrittenSpan.ToArray(), ValueCodec.Encode(image));
    }

    [Fact]
    public void Encoding_an_image_allocates_one_array_of_its_encoded_size()
    {
        // An image made outside a pool (a cluster worker encodes such results to store them): 1 MiB of voxels.
        var image = Image.FromNumbers(ImageGeometry.Of3D(64, 64, 64), new float[64 * 64 * 64]);
        ValueCodec.Encode(image); // first call: code paths compiled, not counted
        var before = GC.GetAllocatedBytesForCurrentThread();
        var encoded = ValueCodec.Encode(image);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(256 + 4 * 64 * 64 * 64, encoded.Length);
        // A growing buffer and a final copy allocated about three times the encoding.
        Assert.InRange(allocated, encoded.Length, encoded.Length + 4096);
    }

    [Fact]
    public void Typed_views_share_one_buffer_and_refuse_the_wrong_kind()
    {
        var voxels = new float[] { 1, 2, 3, 4 };
        var image = Image.FromNumbers(ImageGeometry.Of2D(2, 2), voxels);
        Assert.Equal(voxels, image.Numbers.ToArray());
        Assert.Equal(16, image.RawBytes.Length);
        Assert.Equal(BitConverter.GetBytes(2f), image.RawBytes[4..8].ToArray());
        Assert.Equal(voxels, image.NumberMemory.ToArray());
        Assert.Throws<InvalidOperationException>(() => image.BooleanMemory);
        Assert.Throws<InvalidOperationException>(() => image.ComponentMemory);
        var mask = image.WithBooleans([1, 0, 0, 1]);
        Assert.Same(image.Geometry, mask.Geometry);
        Assert.Throws<InvalidOperationException>(() => mask.NumberMemory);
    }

    [Fact]
    public void Buffers_of_the_wrong_length_and_bad_geometry_are_refused()
    {
        Assert.Contains("4 bytes of voxels, not 3", Assert.Throws<ArgumentException>(() => Image.FromBooleans(ImageGeometry.Of2D(2, 2), new byte[3])).Message);
        Assert.Throws<ArgumentException>(() => Image.FromColours(ImageGeometry.Of2D(2, 2), VoxelKind.Rgb, new float[4]));
        Assert.Throws<ArgumentException>(() => Image.FromColours(ImageGeometry.Of2D(2, 2), VoxelKind.Number, new float[4]));
        Assert.Throws<ArgumentException>(() => ImageGeometry.Create(4, 1, 1, 1));
        Assert.Throws<ArgumentException>(() => ImageGeometry.Create(2, 2, 2, 3));
        Assert.Throws<ArgumentException>(() => ImageGeometry.Create(3, 2, 2, 2, new Vector3D(1, 0, 1)));
        Assert.Contains("limit", Assert.Throws<ArgumentException>(() => ImageGeometry.Of3D(100_000, 100_000, 100_000)).Message);
    }

    [Fact]
    public void Damaged_stored_images_raise_FormatException()
    {
        var encoded = ValueCodec.Encode(Sample("number"));
        Assert.Throws<FormatException>(() => ValueCodec.Decode(encoded[..^1]));
        Assert.Throws<FormatException>(() => ValueCodec.Decode(encoded[..100]));
        var badKind = encoded.ToArray();
        badKind[2] = 77;
        Assert.Throws<FormatException>(() => ValueCodec.Decode(badKind));
        var badSize = encoded.ToArray();
        badSize[5] = 0; // width 0
        Assert.Throws<FormatException>(() => ValueCodec.Decode(badSize));
        Assert.Throws<FormatException>(() => DecodeFromStream(encoded[..300]));
    }

    [Fact]
    public void The_summary_gives_size_type_range_and_megabytes()
    {
        var voxels = new float[240 * 240 * 155];
        voxels[7] = 812.5f;
        voxels[9] = -3;
        var image = Image.FromNumbers(ImageGeometry.Of3D(240, 240, 155), voxels);
        Assert.Equal("Image 240×240×155 float32, min -3 max 812.5, 35.7 MB", ImageValueKind.Instance.Summary(image));
        Assert.Equal("Image 2×2 boolean, 2 true, 4 B", Image.FromBooleans(ImageGeometry.Of2D(2, 2), [1, 0, 0, 1]).ToString());
    }

    [Fact]
    public void The_cache_counts_an_image_by_its_bytes_and_the_store_category_follows_its_size()
    {
        var image = Sample("rgb");
        Assert.Equal(288 + 256, ImageValueKind.Instance.SizeInBytes(image));
        Assert.Equal(DataType.Binary, ValueCodec.Classify(image));
        Assert.Equal(DataType.LargeObject, ValueCodec.Classify(image, streamingThreshold: 500));
        Assert.Equal("none", ImageValueKind.Instance.PreferredCompression);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("filesystem")]
    [InlineData("hybrid")]
    public async Task Images_survive_a_real_store_and_read_back_as_streams(string backend)
    {
        using var temp = new TempFolder();
        var image = Image.FromNumbers(ImageGeometry.Of3D(64, 64, 40), Enumerable.Range(0, 64 * 64 * 40).Select(i => (float)Math.Sin(i)).ToArray());
        var data = ValueCodec.Encode(image);
        var id = VoxScheduler.Dag.NodeId.Hash("image-store-test"u8);
        await using (var store = await StoreFactory.OpenAsync(backend, temp.Path, new StoreOptions { StreamingThreshold = 100_000 }))
        {
            await store.StoreAsync(id, data, new StorageMetadata { NodeId = id, DataType = ValueCodec.Classify(image), Size = data.Length });
            await store.FlushAsync();
        }

        await using (var store = await StoreFactory.OpenAsync(backend, temp.Path))
        {
            await using var stream = await store.OpenReadAsync(id);
            var back = Assert.IsType<Image>(ValueCodec.Decode(stream!, data.Length));
            Assert.Equal(image.RawBytes.ToArray(), back.RawBytes.ToArray());
            Assert.Equal(image.Geometry, back.Geometry);
        }
    }

    [Theory]
    [InlineData("sqlite", 1_000)]
    [InlineData("sqlite", 100_000)]
    [InlineData("filesystem", 100_000)]
    [InlineData("hybrid", 100_000)]
    public async Task Stores_keep_images_uncompressed_as_their_kind_prefers_while_other_values_are_compressed(string backend, int voxels)
    {
        using var temp = new TempFolder();
        var image = ValueCodec.Encode(Image.FromNumbers(ImageGeometry.Of2D(voxels, 1), new float[voxels])); // zeros: would compress well
        var bytes = ValueCodec.Encode(new byte[image.Length]);
        var imageId = VoxScheduler.Dag.NodeId.Hash("image"u8);
        var bytesId = VoxScheduler.Dag.NodeId.Hash("bytes"u8);
        await using var store = await StoreFactory.OpenAsync(backend, temp.Path, new StoreOptions { Compression = true, CompressionCodec = "lz4" });
        await store.StoreAsync(imageId, image, new StorageMetadata { NodeId = imageId, DataType = DataType.Binary, Size = image.Length });
        await store.StoreAsync(bytesId, bytes, new StorageMetadata { NodeId = bytesId, DataType = DataType.Binary, Size = bytes.Length });
        await store.FlushAsync();
        Assert.Null((await store.GetMetadataAsync(imageId))!.Compression);
        Assert.Equal("lz4", (await store.GetMetadataAsync(bytesId))!.Compression);
        Assert.Equal(image, await store.RetrieveAsync(imageId));
    }

    private static object? DecodeFromStream(byte[] encoded)
    {
        using var stream = new MemoryStream(encoded);
        return ValueCodec.Decode(stream, encoded.Length);
    }
}
