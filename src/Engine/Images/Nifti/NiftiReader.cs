using System.IO.Compression;
using System.Runtime.InteropServices;
using VoxScheduler.Values;

namespace VoxScheduler.Images.Nifti;

/// <summary>
/// Reads single-file NIfTI-1 images (<c>.nii</c>, <c>.nii.gz</c>) as IMAGES.md §2 says: any byte
/// order, the integer and float datatypes as number images (scaled by <c>scl_slope</c>/<c>scl_inter</c>),
/// RGB24/RGBA32 as colour images, qform and sform kept verbatim. Everything else is a clear error
/// naming the file.
/// </summary>
internal sealed class NiftiReader : ValueFileReader
{
    /// <summary>Largest extension block (bytes between the header and the voxels) read past in a compressed file.</summary>
    private const int MaxExtensionBytes = 64 * 1024 * 1024;

    public NiftiReader()
        : base(".nii", ".nii.gz")
    {
    }

    public override object Read(string path, ReadOnlyMemory<byte> content)
    {
        var gzip = content.Length >= 2 && content.Span[0] == 0x1F && content.Span[1] == 0x8B;
        if (!gzip) return Decode(path, content.Span, null);

        using var source = new GZipStream(AsStream(content), CompressionMode.Decompress);
        try
        {
            return Decode(path, default, source);
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{path} is not a valid gzip file: {e.Message}", e);
        }
    }

    // Plain files are sliced in place; compressed ones are read header first, then exactly the voxel block.
    private static Image Decode(string path, ReadOnlySpan<byte> plain, Stream? compressed)
    {
        var headerBuffer = new byte[NiftiHeader.Size];
        ReadOnlySpan<byte> headerBytes;
        if (compressed is null)
        {
            headerBytes = plain;
        }
        else
        {
            var got = compressed.ReadAtLeast(headerBuffer, headerBuffer.Length, throwOnEndOfStream: false);
            headerBytes = headerBuffer.AsSpan(0, got);
        }

        var bigEndian = NiftiHeader.Detect(headerBytes, path);
        var h = NiftiHeader.Parse(headerBytes, bigEndian);
        var (kind, geometry) = Shape(path, h);
        var bytesPerVoxel = NiftiVoxels.BytesPerVoxel(h.DataType);
        var dataBytes = geometry.VoxelCount * bytesPerVoxel;
        if (dataBytes > Array.MaxLength) throw new InvalidDataException($"{path} has {dataBytes} bytes of voxels, more than the limit of {Array.MaxLength}.");
        if (!(h.VoxOffset >= NiftiHeader.Size) || h.VoxOffset != MathF.Floor(h.VoxOffset) || h.VoxOffset - NiftiHeader.Size > MaxExtensionBytes)
        {
            throw new InvalidDataException($"{path} has an invalid vox_offset {h.VoxOffset}.");
        }

        var offset = (int)h.VoxOffset;
        VoxelScratch? block = null;
        try
        {
            ReadOnlySpan<byte> voxels;
            if (compressed is null)
            {
                if (plain.Length < offset + dataBytes)
                {
                    throw new InvalidDataException($"{path} ends early: {Math.Max(0, plain.Length - offset)} of {dataBytes} bytes of voxels.");
                }

                voxels = plain.Slice(offset, (int)dataBytes);
            }
            else
            {
                // Scratch for the decompressed voxels, from the voxel pool: a dataset loads one such block
                // per case, several at once. The runtime's shared array pool rounded it up to a power of
                // two (64 MiB for a 36 MB scan) and, rented on one thread and returned on another or
                // trimmed after a full collection, let a dataset allocate a fresh one for about every
                // second case; the voxel pool's buffer is exact and shared by every thread.
                var length = (int)(offset - NiftiHeader.Size + dataBytes);
                block = VoxelScratch.Of<byte>(length);
                var scratch = block.As<byte>();
                var got = compressed.ReadAtLeast(scratch, length, throwOnEndOfStream: false);
                if (got < length) throw new InvalidDataException($"{path} ends early: {Math.Max(0, got - (offset - NiftiHeader.Size))} of {dataBytes} bytes of voxels.");
                voxels = scratch.Slice(offset - NiftiHeader.Size, (int)dataBytes);
            }

            using var image = RentedVoxels.Of(VoxelBufferPool.Shared, kind, geometry.VoxelCount);
            if (kind == VoxelKind.Number) NiftiVoxels.ToFloat(h.DataType, voxels, image.Floats, bigEndian, Scale(h));
            else NiftiVoxels.ColoursToFloat(voxels, image.Floats);
            return Image.FromRented(geometry, image);
        }
        finally
        {
            block?.Dispose();
        }
    }

    private static (VoxelKind Kind, ImageGeometry Geometry) Shape(string path, NiftiHeader h)
    {
        var ndim = h.Dim[0];
        if (ndim is < 1 or > 7) throw new InvalidDataException($"{path} has an invalid dim[0] = {ndim}.");
        int Size(int axis) => axis <= ndim ? h.Dim[axis] : 1;
        for (var axis = 1; axis <= ndim; axis++)
        {
            if (h.Dim[axis] < 1) throw new InvalidDataException($"{path} has an invalid size {h.Dim[axis]} along axis {axis}.");
        }

        if (Size(4) > 1)
        {
            throw new InvalidDataException($"{path} is a 4-D image ({Size(1)}×{Size(2)}×{Size(3)}×{Size(4)}); only 2-D and 3-D images (or 4-D with a 4th size of 1) are supported.");
        }

        for (var axis = 5; axis <= 7; axis++)
        {
            if (Size(axis) > 1) throw new InvalidDataException($"{path} has {Size(axis)} values per voxel (dim[{axis}]); only scalar and RGB/RGBA images are supported.");
        }

        var kind = h.DataType switch
        {
            NiftiDataType.Rgb24 => VoxelKind.Rgb,
            NiftiDataType.Rgba32 => VoxelKind.Rgba,
            _ when NiftiVoxels.BytesPerVoxel(h.DataType) > 0 => VoxelKind.Number,
            _ => throw new InvalidDataException($"{path} has voxels of NIfTI datatype {(int)h.DataType} ({DataTypeName(h.DataType)}), which is not supported."),
        };

        var spacing = new Vector3D(Spacing(h.PixDim[1]), Spacing(h.PixDim[2]), Spacing(h.PixDim[3]));
        var (origin, direction) = NiftiSpace.Geometry(NiftiSpace.Affine(h, spacing));
        var orientation = new NiftiOrientation
        {
            QformCode = h.QformCode,
            SformCode = h.SformCode,
            Quaternion = (h.Quatern[0], h.Quatern[1], h.Quatern[2]),
            QOffset = (h.QOffset[0], h.QOffset[1], h.QOffset[2]),
            Qfac = h.PixDim[0] < 0 ? -1 : 1,
            Srow = h.Srow,
            XyztUnits = h.XyztUnits,
        };

        var depth = Size(3);
        try
        {
            return (kind, ImageGeometry.Create(depth == 1 ? 2 : 3, Size(1), Size(2), depth, spacing, origin, direction, orientation));
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>IMAGES.md §2: scaling applies when the slope is a finite number other than 0 and the pair is not (1, 0).</summary>
    private static (double Slope, double Inter)? Scale(NiftiHeader h)
    {
        var inter = float.IsFinite(h.SclInter) ? h.SclInter : 0;
        if (!float.IsFinite(h.SclSlope) || h.SclSlope == 0 || (h.SclSlope == 1 && inter == 0)) return null;
        return (h.SclSlope, inter);
    }

    private static MemoryStream AsStream(ReadOnlyMemory<byte> content) =>
        MemoryMarshal.TryGetArray(content, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(content.ToArray(), writable: false);

    private static double Spacing(float pixdim) => float.IsFinite(pixdim) && pixdim != 0 ? Math.Abs(pixdim) : 1;

    private static string DataTypeName(NiftiDataType type) => type switch
    {
        NiftiDataType.Binary => "binary",
        NiftiDataType.Complex64 or NiftiDataType.Complex128 or NiftiDataType.Complex256 => "complex",
        NiftiDataType.Float128 => "float128",
        _ => "unknown",
    };
}
