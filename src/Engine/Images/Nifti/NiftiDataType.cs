namespace VoxScheduler.Images.Nifti;

/// <summary>The NIfTI-1 <c>datatype</c> codes this engine reads (IMAGES.md §2) and the ones it refuses by name.</summary>
internal enum NiftiDataType : short
{
    Binary = 1,
    UInt8 = 2,
    Int16 = 4,
    Int32 = 8,
    Float32 = 16,
    Complex64 = 32,
    Float64 = 64,
    Rgb24 = 128,
    Int8 = 256,
    UInt16 = 512,
    UInt32 = 768,
    Int64 = 1024,
    UInt64 = 1280,
    Float128 = 1536,
    Complex128 = 1792,
    Complex256 = 2048,
    Rgba32 = 2304,
}
