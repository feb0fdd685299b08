using System.Buffers;
using VoxScheduler.Images.Nifti;
using VoxScheduler.Images.Raster;
using VoxScheduler.Values;

namespace VoxScheduler.Images;

/// <summary>
/// Images as a value kind: stored as a 255-byte header (<see cref="ImageHeader"/>) and the raw
/// little-endian voxel buffer, so reading one back is one copy at most and no per-voxel decoding;
/// not compressed by the store for the same reason.
/// </summary>
public sealed class ImageValueKind : ValueKind
{
    /// <summary>The tag of stored images (tags 0–8 are the built-in kinds).</summary>
    public const byte ImageTag = 9;

    private ImageValueKind()
        : base(ImageTag, "image")
    {
    }

    /// <summary>The one instance, registered in <see cref="ValueKinds"/> when the engine loads.</summary>
    public static ImageValueKind Instance { get; } = new();

    /// <inheritdoc/>
    public override string? PreferredCompression => "none";

    /// <inheritdoc/>
    public override IReadOnlyList<ValueFileReader> FileReaders { get; } = [new NiftiReader(), new NiftiPairReader(), new RasterReader()];

    /// <inheritdoc/>
    public override IReadOnlyList<ValueFileWriter> FileWriters { get; } = [new NiftiWriter(), new RasterWriter()];

    /// <inheritdoc/>
    public override bool Accepts(object value) => value is Image;

    /// <inheritdoc/>
    public override void WritePayload(IBufferWriter<byte> output, object? value, int depth)
    {
        ArgumentNullException.ThrowIfNull(output);
        var image = (Image)value!;
        ImageHeader.Write(output.GetSpan(ImageHeader.Length), image);
        output.Advance(ImageHeader.Length);
        output.Write(image.RawBytes);
    }

    /// <inheritdoc/>
    public override void WritePayload(Stream output, object? value)
    {
        ArgumentNullException.ThrowIfNull(output);
        var image = (Image)value!;
        Span<byte> header = stackalloc byte[ImageHeader.Length];
        ImageHeader.Write(header, image);
        output.Write(header);
        output.Write(image.RawBytes);
    }

    /// <inheritdoc/>
    public override object? ReadPayload(ReadOnlySpan<byte> payload, int depth)
    {
        var (kind, geometry) = ImageHeader.Read(payload);
        var voxels = payload[ImageHeader.Length..];
        CheckLength(kind, geometry, voxels.Length);
        return Image.FromRaw(kind, geometry, voxels.ToArray());
    }

    /// <inheritdoc/>
    public override object? ReadPayload(ReadOnlyMemory<byte> payload, int depth)
    {
        var (kind, geometry) = ImageHeader.Read(payload.Span);
        var voxels = payload[ImageHeader.Length..];
        CheckLength(kind, geometry, voxels.Length);
        return Image.FromRaw(kind, geometry, voxels); // kept, not copied: the caller handed the buffer over
    }

    /// <inheritdoc/>
    public override object? ReadPayload(Stream input, long length)
    {
        ArgumentNullException.ThrowIfNull(input);
        Span<byte> header = stackalloc byte[ImageHeader.Length];
        try
        {
            input.ReadExactly(header);
            var (kind, geometry) = ImageHeader.Read(header);
            var voxelBytes = length - ImageHeader.Length;
            CheckLength(kind, geometry, voxelBytes);
            var voxels = new byte[voxelBytes];
            input.ReadExactly(voxels);
            return Image.FromRaw(kind, geometry, voxels);
        }
        catch (EndOfStreamException e)
        {
            throw new FormatException("The stored image ends before its voxels.", e);
        }
    }

    /// <inheritdoc/>
    internal override long? PayloadLength(object? value) => ImageHeader.Length + ((Image)value!).Geometry.VoxelCount * ((Image)value!).Kind.BytesPerVoxel();

    /// <inheritdoc/>
    internal override bool TryGetEncoded(object? value, out ReadOnlyMemory<byte> encoded) => ((Image)value!).TryGetEncoded(out encoded);

    /// <inheritdoc/>
    public override long SizeInBytes(object? value) => ((Image)value!).SizeInBytes;

    /// <inheritdoc/>
    public override string Summary(object? value) => ImageSummary.Of((Image)value!);

    /// <inheritdoc/>
    public override DataType Classify(object? value, long streamingThreshold) =>
        ((Image)value!).RawBytes.Length + ImageHeader.Length + 1L >= streamingThreshold ? DataType.LargeObject : DataType.Binary;

    private static void CheckLength(VoxelKind kind, ImageGeometry geometry, long voxelBytes)
    {
        var expected = geometry.VoxelCount * kind.BytesPerVoxel();
        if (expected > Image.MaxBytes) throw new FormatException($"The stored image of {geometry.SizeText} {kind.DisplayName()} voxels is larger than the limit of {Image.MaxBytes} bytes.");
        if (voxelBytes != expected)
        {
            throw new FormatException($"The stored image of {geometry.SizeText} {kind.DisplayName()} voxels has {voxelBytes} bytes of voxels, not {expected}.");
        }
    }
}
