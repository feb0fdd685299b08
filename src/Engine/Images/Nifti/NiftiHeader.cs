using System.Buffers.Binary;

namespace VoxScheduler.Images.Nifti;

/// <summary>
/// The fields of a NIfTI-1 header (348 bytes) this engine uses, read in the file's byte order and
/// written little endian. Offsets are the standard's (nifti1.h).
/// </summary>
internal sealed class NiftiHeader
{
    public const int Size = 348;
    public const int Nifti2Size = 540;

    /// <summary>Where the voxels of a file this engine writes start: the header and an empty 4-byte extension flag.</summary>
    public const int WrittenDataOffset = 352;

    public bool BigEndian { get; init; }

    public short[] Dim { get; init; } = new short[8];

    public NiftiDataType DataType { get; init; }

    public short BitPix { get; init; }

    public float[] PixDim { get; init; } = new float[8];

    public float VoxOffset { get; init; }

    public float SclSlope { get; init; }

    public float SclInter { get; init; }

    public byte XyztUnits { get; init; }

    public short QformCode { get; init; }

    public short SformCode { get; init; }

    public float[] Quatern { get; init; } = new float[3];

    public float[] QOffset { get; init; } = new float[3];

    public float[] Srow { get; init; } = new float[12];

    /// <summary>Parses a header; the caller has checked it is a single-file NIfTI-1 header (see <see cref="Detect"/>).</summary>
    public static NiftiHeader Parse(ReadOnlySpan<byte> h, bool bigEndian)
    {
        var copy = h[..Size].ToArray();
        short I16(int offset) => bigEndian ? BinaryPrimitives.ReadInt16BigEndian(copy.AsSpan(offset)) : BinaryPrimitives.ReadInt16LittleEndian(copy.AsSpan(offset));
        float F32(int offset) => bigEndian ? BinaryPrimitives.ReadSingleBigEndian(copy.AsSpan(offset)) : BinaryPrimitives.ReadSingleLittleEndian(copy.AsSpan(offset));
        var dim = new short[8];
        var pixdim = new float[8];
        for (var i = 0; i < 8; i++)
        {
            dim[i] = I16(40 + 2 * i);
            pixdim[i] = F32(76 + 4 * i);
        }

        var srow = new float[12];
        for (var i = 0; i < 12; i++) srow[i] = F32(280 + 4 * i);
        return new NiftiHeader
        {
            BigEndian = bigEndian,
            Dim = dim,
            DataType = (NiftiDataType)I16(70),
            BitPix = I16(72),
            PixDim = pixdim,
            VoxOffset = F32(108),
            SclSlope = F32(112),
            SclInter = F32(116),
            XyztUnits = copy[123],
            QformCode = I16(252),
            SformCode = I16(254),
            Quatern = [F32(256), F32(260), F32(264)],
            QOffset = [F32(268), F32(272), F32(276)],
            Srow = srow,
        };
    }

    /// <summary>The byte order of a NIfTI-1 header, or a clear error for anything else (NIfTI-2, a header/image pair, not NIfTI).</summary>
    /// <exception cref="InvalidDataException">Not a single-file NIfTI-1 header.</exception>
    public static bool Detect(ReadOnlySpan<byte> h, string path)
    {
        if (h.Length < 4) throw new InvalidDataException($"{path} is not a NIfTI file: it has {h.Length} bytes.");
        var little = BinaryPrimitives.ReadInt32LittleEndian(h);
        var big = BinaryPrimitives.ReadInt32BigEndian(h);
        if (little == Nifti2Size || big == Nifti2Size)
        {
            throw new InvalidDataException($"{path} is a NIfTI-2 file (header size 540); only NIfTI-1 is supported: convert it to NIfTI-1 first.");
        }

        if (little != Size && big != Size) throw new InvalidDataException($"{path} is not a NIfTI-1 file (header size {little}, expected 348).");
        if (h.Length < Size) throw new InvalidDataException($"{path} ends inside its NIfTI-1 header ({h.Length} of 348 bytes).");
        var magic = h[344..348];
        if (magic.SequenceEqual("ni1\0"u8))
        {
            throw new InvalidDataException($"{path} is the header of a NIfTI .hdr/.img pair; only single-file NIfTI (.nii, .nii.gz) is supported.");
        }

        if (!magic.SequenceEqual("n+1\0"u8)) throw new InvalidDataException($"{path} is not a NIfTI-1 file (no 'n+1' magic).");
        return little != Size;
    }

    /// <summary>Writes a little-endian single-file header whose voxels start at <see cref="WrittenDataOffset"/>.</summary>
    public void Write(Span<byte> h)
    {
        h[..WrittenDataOffset].Clear();
        BinaryPrimitives.WriteInt32LittleEndian(h, Size);
        h[38] = (byte)'r'; // "regular", as every writer sets it
        for (var i = 0; i < 8; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(h[(40 + 2 * i)..], Dim[i]);
            BinaryPrimitives.WriteSingleLittleEndian(h[(76 + 4 * i)..], PixDim[i]);
        }

        BinaryPrimitives.WriteInt16LittleEndian(h[70..], (short)DataType);
        BinaryPrimitives.WriteInt16LittleEndian(h[72..], BitPix);
        BinaryPrimitives.WriteSingleLittleEndian(h[108..], WrittenDataOffset);
        BinaryPrimitives.WriteSingleLittleEndian(h[112..], SclSlope);
        BinaryPrimitives.WriteSingleLittleEndian(h[116..], SclInter);
        h[123] = XyztUnits;
        BinaryPrimitives.WriteInt16LittleEndian(h[252..], QformCode);
        BinaryPrimitives.WriteInt16LittleEndian(h[254..], SformCode);
        for (var i = 0; i < 3; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(h[(256 + 4 * i)..], Quatern[i]);
            BinaryPrimitives.WriteSingleLittleEndian(h[(268 + 4 * i)..], QOffset[i]);
        }

        for (var i = 0; i < 12; i++) BinaryPrimitives.WriteSingleLittleEndian(h[(280 + 4 * i)..], Srow[i]);
        "n+1\0"u8.CopyTo(h[344..]);
    }
}
