namespace VoxScheduler.Images;

/// <summary>What one voxel of an image holds (IMAGES.md §1).</summary>
public enum VoxelKind : byte
{
    /// <summary>One byte, 0 or 1.</summary>
    Boolean = 1,

    /// <summary>One float32.</summary>
    Number = 2,

    /// <summary>Three float32 components: red, green, blue.</summary>
    Rgb = 3,

    /// <summary>Four float32 components: red, green, blue, alpha.</summary>
    Rgba = 4,
}
