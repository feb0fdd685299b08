using VoxScheduler.Values;

namespace VoxScheduler.Images.Nifti;

/// <summary>
/// <c>.hdr</c>/<c>.img</c> pairs (NIfTI-1 two-file form and Analyze 7.5): recognised so that
/// <c>load</c> says clearly they are not supported, instead of returning the raw bytes of half a pair.
/// </summary>
internal sealed class NiftiPairReader : ValueFileReader
{
    public NiftiPairReader()
        : base(".hdr", ".img")
    {
    }

    public override object Read(string path, ReadOnlyMemory<byte> content) =>
        throw new InvalidDataException($"{path} is part of a .hdr/.img pair; only single-file NIfTI (.nii, .nii.gz) is supported: convert the pair to .nii first.");
}
