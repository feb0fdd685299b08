namespace VoxScheduler.Images;

/// <summary>
/// The orientation fields of a NIfTI-1 header, kept verbatim (as float32, as the file has them)
/// so that an image saved again, or derived from a loaded one, carries exactly the qform and sform
/// it was read with.
/// </summary>
public sealed record NiftiOrientation
{
    /// <summary><c>qform_code</c> (0: no qform).</summary>
    public short QformCode { get; init; }

    /// <summary><c>sform_code</c> (0: no sform).</summary>
    public short SformCode { get; init; }

    /// <summary><c>quatern_b</c>, <c>quatern_c</c>, <c>quatern_d</c>.</summary>
    public (float B, float C, float D) Quaternion { get; init; }

    /// <summary><c>qoffset_x</c>, <c>qoffset_y</c>, <c>qoffset_z</c>.</summary>
    public (float X, float Y, float Z) QOffset { get; init; }

    /// <summary><c>pixdim[0]</c>: the qform's handedness (−1 or 1; 0 read as 1).</summary>
    public float Qfac { get; init; } = 1;

    /// <summary><c>srow_x</c>, <c>srow_y</c>, <c>srow_z</c>: the sform's three rows of four, row-major (12 numbers).</summary>
    public IReadOnlyList<float> Srow { get; init; } = new float[12];

    /// <summary><c>xyzt_units</c>: spatial and temporal units.</summary>
    public byte XyztUnits { get; init; }

    /// <inheritdoc/>
    public bool Equals(NiftiOrientation? other) =>
        other is not null && QformCode == other.QformCode && SformCode == other.SformCode && Quaternion.Equals(other.Quaternion)
        && QOffset.Equals(other.QOffset) && Qfac.Equals(other.Qfac) && Srow.SequenceEqual(other.Srow) && XyztUnits == other.XyztUnits;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(QformCode, SformCode, Quaternion, QOffset, Qfac, XyztUnits);
}
