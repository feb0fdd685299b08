using System.Buffers;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using VoxScheduler.Values;

namespace VoxScheduler.Images.Nifti;

/// <summary>
/// Writes images as single-file NIfTI-1 (IMAGES.md §2), gzip-compressed for <c>.nii.gz</c>: number
/// images as float32, boolean as uint8 0/1, colour as RGB24/RGBA32 (components clamped to 0..255
/// and rounded half to even); the geometry's kept NIfTI orientation verbatim, else one derived
/// from its spacing, origin and direction.
/// </summary>
internal sealed class NiftiWriter : ValueFileWriter
{
    private const int ChunkVoxels = 16 * 1024;

    public NiftiWriter()
        : base(".nii", ".nii.gz")
    {
    }

    public override void Write(Stream output, string path, object value)
    {
        ArgumentNullException.ThrowIfNull(output);
        var image = value as Image ?? throw new InvalidOperationException($"{path}: only images are saved as NIfTI.");
        if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
        {
            using var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true);
            WriteImage(gzip, image);
        }
        else
        {
            WriteImage(output, image);
        }
    }

    private static void WriteImage(Stream output, Image image)
    {
        WriteHeader(output, image.Kind, image.Geometry);
        switch (image.Kind)
        {
            case VoxelKind.Number when BitConverter.IsLittleEndian:
                output.Write(image.RawBytes); // float32 little endian already: written straight from the image
                break;
            case VoxelKind.Number:
                WriteConverted(output, image.Numbers, 4, static (v, dst) => System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(dst, v));
                break;
            case VoxelKind.Boolean:
                WriteConverted(output, image.Booleans, 1, static (v, dst) => dst[0] = v != 0 ? (byte)1 : (byte)0);
                break;
            default:
                WriteConverted(output, image.Components, 1, static (v, dst) => dst[0] = ColourByte.Of(v));
                break;
        }
    }

    /// <summary>The 352-byte NIfTI-1 header (and its 4-byte extension flag) of an image of this kind and geometry.</summary>
    internal static void WriteHeader(Stream output, VoxelKind kind, ImageGeometry g)
    {
        var orientation = g.Nifti ?? NiftiSpace.FromGeometry(g);
        var (type, bitpix) = kind switch
        {
            VoxelKind.Boolean => (NiftiDataType.UInt8, (short)8),
            VoxelKind.Number => (NiftiDataType.Float32, (short)32),
            VoxelKind.Rgb => (NiftiDataType.Rgb24, (short)24),
            _ => (NiftiDataType.Rgba32, (short)32),
        };

        var header = new NiftiHeader
        {
            Dim = [(short)g.Dimensions, (short)g.Width, (short)g.Height, (short)g.Depth, 1, 1, 1, 1],
            DataType = type,
            BitPix = bitpix,
            PixDim = [orientation.Qfac < 0 ? -1 : 1, (float)g.Spacing.X, (float)g.Spacing.Y, (float)g.Spacing.Z, 1, 1, 1, 1],
            SclSlope = 1,
            SclInter = 0,
            XyztUnits = orientation.XyztUnits,
            QformCode = orientation.QformCode,
            SformCode = orientation.SformCode,
            Quatern = [orientation.Quaternion.B, orientation.Quaternion.C, orientation.Quaternion.D],
            QOffset = [orientation.QOffset.X, orientation.QOffset.Y, orientation.QOffset.Z],
            Srow = orientation.Srow.ToArray(),
        };

        Span<byte> headerBytes = stackalloc byte[NiftiHeader.WrittenDataOffset];
        header.Write(headerBytes);
        output.Write(headerBytes);
    }

    // The loops here run a few times per node, far fewer than tiering waits for: compiled fully
    // optimised on first call, as VoxelSimd's are (see there). Small per-voxel helpers inline.
    /// <summary>
    /// Converts one chunk of stored voxels (the image's raw form: float32 little endian, or one
    /// byte per boolean voxel) to the file's voxels into <paramref name="file"/>; returns the bytes
    /// written. A chunk holds whole components (a multiple of 4 bytes for float data).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static int ConvertStored(VoxelKind kind, ReadOnlySpan<byte> raw, Span<byte> file)
    {
        switch (kind)
        {
            case VoxelKind.Number:
                raw.CopyTo(file); // the stored form is already float32 little endian
                return raw.Length;
            case VoxelKind.Boolean:
                for (var i = 0; i < raw.Length; i++) file[i] = raw[i] != 0 ? (byte)1 : (byte)0;
                return raw.Length;
            default:
                var n = raw.Length / 4;
                for (var i = 0; i < n; i++) file[i] = ColourByte.Of(System.Buffers.Binary.BinaryPrimitives.ReadSingleLittleEndian(raw[(4 * i)..]));
                return n;
        }
    }

    private delegate void Convert<T>(T value, Span<byte> destination);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WriteConverted<T>(Stream output, ReadOnlySpan<T> values, int bytesPer, Convert<T> convert)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkVoxels * bytesPer);
        try
        {
            for (var start = 0; start < values.Length; start += ChunkVoxels)
            {
                var chunk = values.Slice(start, Math.Min(ChunkVoxels, values.Length - start));
                for (var i = 0; i < chunk.Length; i++) convert(chunk[i], buffer.AsSpan(i * bytesPer, bytesPer));
                output.Write(buffer, 0, chunk.Length * bytesPer);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
