using System.Buffers;
using VoxScheduler.Images;
using VoxScheduler.Values;

namespace VoxScheduler.Tests.Values;

public sealed class ValueKindsTests
{
    [Fact]
    public void Built_in_kinds_keep_their_stored_tags()
    {
        Assert.Equal((byte)ValueTag.Null, ValueKinds.Of(null)!.Tag);
        Assert.Equal((byte)ValueTag.Number, ValueKinds.Of(1.0)!.Tag);
        Assert.Equal((byte)ValueTag.Boolean, ValueKinds.Of(true)!.Tag);
        Assert.Equal((byte)ValueTag.String, ValueKinds.Of("s")!.Tag);
        Assert.Equal((byte)ValueTag.Bytes, ValueKinds.Of(new byte[1])!.Tag);
        Assert.Equal((byte)ValueTag.Sequence, ValueKinds.Of(Array.Empty<object?>())!.Tag);
        Assert.Equal((byte)ValueTag.UInt64, ValueKinds.Of(1UL)!.Tag);
        Assert.Equal((byte)ValueTag.Int64, ValueKinds.Of(1L)!.Tag);
        Assert.Equal((byte)ValueTag.Record, ValueKinds.Of(new Dictionary<string, object?>())!.Tag);
        Assert.Null(ValueKinds.Of(new object()));
    }

    [Fact]
    public void Tags_are_unique_and_images_are_registered_when_the_engine_loads()
    {
        Assert.Equal(ValueKinds.All.Count, ValueKinds.All.Select(k => k.Tag).Distinct().Count());
        Assert.Same(ImageValueKind.Instance, ValueKinds.FromTag(ImageValueKind.ImageTag));
        Assert.Equal("image", ValueCodec.TypeName(Image.FromBooleans(ImageGeometry.Of2D(1, 1), [1])));
    }

    [Fact]
    public void A_kind_cannot_take_a_tag_another_kind_has()
    {
        var e = Assert.Throws<InvalidOperationException>(() => ValueKinds.Register(new TestKind((byte)ValueTag.Number, ".never")));
        Assert.Contains("'number' has it", e.Message);
    }

    [Fact]
    public void Load_and_save_find_readers_and_writers_by_the_longest_matching_extension()
    {
        var kind = new TestKind(201, ".vkt", ".gz.vkt");
        ValueKinds.Register(kind);
        ValueKinds.Register(kind); // idempotent
        Assert.Same(kind.FileReaders[1], ValueKinds.ReaderFor("/data/x.GZ.vkt"));
        Assert.Same(kind.FileReaders[0], ValueKinds.ReaderFor("x.vkt"));
        Assert.Null(ValueKinds.ReaderFor("x.nothing-reads-this"));
        Assert.Same(kind, ValueKinds.WriterFor("out/y.vkt")!.Value.Kind);
        Assert.Null(ValueKinds.WriterFor("y.txt"));
    }

    [Fact]
    public void The_size_of_a_value_is_counted_by_its_kind_through_sequences_and_records()
    {
        var image = Image.FromNumbers(ImageGeometry.Of3D(10, 10, 10), new float[1000]);
        Assert.Equal(image.SizeInBytes, ValueKinds.EstimateSize(image));
        Assert.True(image.SizeInBytes >= 4000);
        var nested = new object?[] { image, new Dictionary<string, object?> { ["i"] = image } };
        Assert.True(ValueKinds.EstimateSize(nested) >= 2 * image.SizeInBytes);
        Assert.True(ValueKinds.EstimateSize(new object?[] { image, image, image }, limit: 100) < 3 * image.SizeInBytes); // stops counting past the limit
    }

    [Fact]
    public void Stream_encoding_writes_the_same_bytes_as_buffer_encoding()
    {
        object?[] values = [null, 1.5, "t", new byte[] { 1, 2 }, new object?[] { 1.0, new Dictionary<string, object?> { ["k"] = "v" } }];
        foreach (var value in values)
        {
            using var stream = new MemoryStream();
            ValueCodec.Encode(stream, value);
            Assert.Equal(ValueCodec.Encode(value), stream.ToArray());
            stream.Position = 0;
            Assert.Equal(value, ValueCodec.Decode(stream, stream.Length));
        }
    }

    [Fact]
    public void Summaries_are_one_line()
    {
        Assert.Equal("sequence of 2 items", ValueKinds.Of(new object?[2])!.Summary(new object?[2]));
        Assert.Equal("3 bytes", ValueKinds.Of(new byte[3])!.Summary(new byte[3]));
        Assert.Equal("2.5", ValueKinds.Of(2.5)!.Summary(2.5));
    }

    private sealed class TestKind : ValueKind
    {
        public TestKind(byte tag, params string[] extensions)
            : base(tag, "test kind") =>
            FileReaders = extensions.Select(e => (ValueFileReader)new Reader(e)).ToArray();

        public override IReadOnlyList<ValueFileReader> FileReaders { get; }

        public override IReadOnlyList<ValueFileWriter> FileWriters { get; } = [new Writer()];

        public override bool Accepts(object value) => false;

        public override void WritePayload(IBufferWriter<byte> output, object? value, int depth) => throw new NotSupportedException();

        // Registered for the whole test process: any decoder test may meet its tag, so it fails as a decoder must.
        public override object? ReadPayload(ReadOnlySpan<byte> payload, int depth) => throw new FormatException("The test kind stores nothing.");

        public override long SizeInBytes(object? value) => 0;

        public override string Summary(object? value) => "test";

        private sealed class Reader(string extension) : ValueFileReader(extension)
        {
            public override object Read(string path, ReadOnlyMemory<byte> content) => content.Length;
        }

        private sealed class Writer() : ValueFileWriter(".vkt")
        {
            public override void Write(Stream output, string path, object value)
            {
            }
        }
    }
}
