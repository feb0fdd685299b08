using System.Buffers.Binary;

namespace VoxScheduler.Images;

/// <summary>
/// The fixed 255-byte header of an image's stored form (after the tag byte, so header and tag
/// are 256 bytes and the voxels that follow start 8-byte aligned in a fresh array). Little endian:
/// <code>
///   0 version (1)        1 voxel kind      2 dimensions      3 flags (bit 0: NIfTI orientation present)
///   4 width, height, depth (int32)
///  16 spacing (3 × float64)   40 origin (3 × float64)   64 direction (9 × float64, row-major)
/// 136 qform_code, sform_code (int16)   140 quatern_b, c, d   152 qoffset_x, y, z   164 qfac (float32)
/// 168 srow_x, srow_y, srow_z (12 × float32)   216 xyzt_units   217..254 zero
/// </code>
/// </summary>
internal static class ImageHeader
{
    public const int Length = 255;
    private const byte Version = 1;

    public static void Write(Span<byte> header, Image image)
    {
        header[..Length].Clear();
        var g = image.Geometry;
        header[0] = Version;
        header[1] = (byte)image.Kind;
        header[2] = (byte)g.Dimensions;
        header[3] = g.Nifti is null ? (byte)0 : (byte)1;
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], g.Width);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], g.Height);
        BinaryPrimitives.WriteInt32LittleEndian(header[12..], g.Depth);
        WriteVector(header[16..], g.Spacing);
        WriteVector(header[40..], g.Origin);
        for (var i = 0; i < 9; i++) BinaryPrimitives.WriteDoubleLittleEndian(header[(64 + 8 * i)..], g.Direction[i]);
        if (g.Nifti is { } n)
        {
            BinaryPrimitives.WriteInt16LittleEndian(header[136..], n.QformCode);
            BinaryPrimitives.WriteInt16LittleEndian(header[138..], n.SformCode);
            BinaryPrimitives.WriteSingleLittleEndian(header[140..], n.Quaternion.B);
            BinaryPrimitives.WriteSingleLittleEndian(header[144..], n.Quaternion.C);
            BinaryPrimitives.WriteSingleLittleEndian(header[148..], n.Quaternion.D);
            BinaryPrimitives.WriteSingleLittleEndian(header[152..], n.QOffset.X);
            BinaryPrimitives.WriteSingleLittleEndian(header[156..], n.QOffset.Y);
            BinaryPrimitives.WriteSingleLittleEndian(header[160..], n.QOffset.Z);
            BinaryPrimitives.WriteSingleLittleEndian(header[164..], n.Qfac);
            for (var i = 0; i < 12; i++) BinaryPrimitives.WriteSingleLittleEndian(header[(168 + 4 * i)..], n.Srow[i]);
            header[216] = n.XyztUnits;
        }
    }

    /// <summary>Kind and geometry of a stored header.</summary>
    /// <exception cref="FormatException">Not a header this version can read.</exception>
    public static (VoxelKind Kind, ImageGeometry Geometry) Read(ReadOnlySpan<byte> header)
    {
        if (header.Length < Length) throw new FormatException("The stored image ends inside its header.");
        if (header[0] != Version) throw new FormatException($"Stored image version {header[0]} is not supported (expected {Version}).");
        var kind = (VoxelKind)header[1];
        if (!kind.IsDefined()) throw new FormatException($"Stored image has an unknown voxel kind {header[1]}.");
        NiftiOrientation? nifti = null;
        if ((header[3] & 1) != 0)
        {
            var srow = new float[12];
            for (var i = 0; i < 12; i++) srow[i] = BinaryPrimitives.ReadSingleLittleEndian(header[(168 + 4 * i)..]);
            nifti = new NiftiOrientation
            {
                QformCode = BinaryPrimitives.ReadInt16LittleEndian(header[136..]),
                SformCode = BinaryPrimitives.ReadInt16LittleEndian(header[138..]),
                Quaternion = (BinaryPrimitives.ReadSingleLittleEndian(header[140..]), BinaryPrimitives.ReadSingleLittleEndian(header[144..]),
                    BinaryPrimitives.ReadSingleLittleEndian(header[148..])),
                QOffset = (BinaryPrimitives.ReadSingleLittleEndian(header[152..]), BinaryPrimitives.ReadSingleLittleEndian(header[156..]),
                    BinaryPrimitives.ReadSingleLittleEndian(header[160..])),
                Qfac = BinaryPrimitives.ReadSingleLittleEndian(header[164..]),
                Srow = srow,
                XyztUnits = header[216],
            };
        }

        var direction = new double[9];
        for (var i = 0; i < 9; i++) direction[i] = BinaryPrimitives.ReadDoubleLittleEndian(header[(64 + 8 * i)..]);
        try
        {
            var geometry = ImageGeometry.Create(header[2], BinaryPrimitives.ReadInt32LittleEndian(header[4..]), BinaryPrimitives.ReadInt32LittleEndian(header[8..]),
                BinaryPrimitives.ReadInt32LittleEndian(header[12..]), ReadVector(header[16..]), ReadVector(header[40..]), direction, nifti);
            return (kind, geometry);
        }
        catch (ArgumentException e)
        {
            throw new FormatException("Stored image header is invalid: " + e.Message, e);
        }
    }

    private static void WriteVector(Span<byte> target, Vector3D v)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(target, v.X);
        BinaryPrimitives.WriteDoubleLittleEndian(target[8..], v.Y);
        BinaryPrimitives.WriteDoubleLittleEndian(target[16..], v.Z);
    }

    private static Vector3D ReadVector(ReadOnlySpan<byte> source) =>
        new(BinaryPrimitives.ReadDoubleLittleEndian(source), BinaryPrimitives.ReadDoubleLittleEndian(source[8..]), BinaryPrimitives.ReadDoubleLittleEndian(source[16..]));
}
