using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace VoxScheduler.Images.Nifti;

/// <summary>Conversion of a NIfTI voxel block, in any supported datatype and byte order, to float32 (scaled as the header says).</summary>
internal static class NiftiVoxels
{
    /// <summary>Bytes per voxel of a datatype this engine reads, or 0 when it refuses it.</summary>
    public static int BytesPerVoxel(NiftiDataType type) => type switch
    {
        NiftiDataType.UInt8 or NiftiDataType.Int8 => 1,
        NiftiDataType.Int16 or NiftiDataType.UInt16 => 2,
        NiftiDataType.Int32 or NiftiDataType.UInt32 or NiftiDataType.Float32 or NiftiDataType.Rgba32 => 4,
        NiftiDataType.Int64 or NiftiDataType.UInt64 or NiftiDataType.Float64 => 8,
        NiftiDataType.Rgb24 => 3,
        _ => 0,
    };

    // The loops here run a few times per node, far fewer than tiering waits for: compiled fully
    // optimised on first call, as VoxelSimd's are (see there). Small per-voxel helpers inline.
    /// <summary>
    /// Converts scalar voxels to float32: <c>value × slope + inter</c> in double precision when
    /// <paramref name="scale"/> is set, the value itself otherwise.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ToFloat(NiftiDataType type, ReadOnlySpan<byte> src, Span<float> dst, bool bigEndian, (double Slope, double Inter)? scale)
    {
        if (type == NiftiDataType.Float32 && !bigEndian && BitConverter.IsLittleEndian && scale is null)
        {
            MemoryMarshal.Cast<byte, float>(src).CopyTo(dst);
            return;
        }

        var (slope, inter) = scale ?? (1.0, 0.0);
        for (var i = 0; i < dst.Length; i++)
        {
            var v = Read(type, src, i, bigEndian);
            dst[i] = scale is null ? (float)v : (float)(v * slope + inter);
        }
    }

    /// <summary>Converts RGB24 or RGBA32 voxels to float components 0..255, interleaved.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ColoursToFloat(ReadOnlySpan<byte> src, Span<float> dst)
    {
        for (var i = 0; i < dst.Length; i++) dst[i] = src[i];
    }

    private static double Read(NiftiDataType type, ReadOnlySpan<byte> src, int i, bool be) => type switch
    {
        NiftiDataType.UInt8 => src[i],
        NiftiDataType.Int8 => (sbyte)src[i],
        NiftiDataType.Int16 => be ? BinaryPrimitives.ReadInt16BigEndian(src[(2 * i)..]) : BinaryPrimitives.ReadInt16LittleEndian(src[(2 * i)..]),
        NiftiDataType.UInt16 => be ? BinaryPrimitives.ReadUInt16BigEndian(src[(2 * i)..]) : BinaryPrimitives.ReadUInt16LittleEndian(src[(2 * i)..]),
        NiftiDataType.Int32 => be ? BinaryPrimitives.ReadInt32BigEndian(src[(4 * i)..]) : BinaryPrimitives.ReadInt32LittleEndian(src[(4 * i)..]),
        NiftiDataType.UInt32 => be ? BinaryPrimitives.ReadUInt32BigEndian(src[(4 * i)..]) : BinaryPrimitives.ReadUInt32LittleEndian(src[(4 * i)..]),
        NiftiDataType.Int64 => be ? BinaryPrimitives.ReadInt64BigEndian(src[(8 * i)..]) : BinaryPrimitives.ReadInt64LittleEndian(src[(8 * i)..]),
        NiftiDataType.UInt64 => be ? BinaryPrimitives.ReadUInt64BigEndian(src[(8 * i)..]) : BinaryPrimitives.ReadUInt64LittleEndian(src[(8 * i)..]),
        NiftiDataType.Float32 => be ? BinaryPrimitives.ReadSingleBigEndian(src[(4 * i)..]) : BinaryPrimitives.ReadSingleLittleEndian(src[(4 * i)..]),
        NiftiDataType.Float64 => be ? BinaryPrimitives.ReadDoubleBigEndian(src[(8 * i)..]) : BinaryPrimitives.ReadDoubleLittleEndian(src[(8 * i)..]),
        _ => throw new InvalidOperationException($"Datatype {type} is not a scalar type."),
    };
}
