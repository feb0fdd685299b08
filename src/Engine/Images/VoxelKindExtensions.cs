namespace VoxScheduler.Images;

/// <summary>Sizes and names of <see cref="VoxelKind"/>.</summary>
public static class VoxelKindExtensions
{
    /// <summary>Components per voxel: 1 (boolean, number), 3 (RGB) or 4 (RGBA).</summary>
    public static int Components(this VoxelKind kind) => kind switch
    {
        VoxelKind.Rgb => 3,
        VoxelKind.Rgba => 4,
        _ => 1,
    };

    /// <summary>Bytes per voxel in memory and in the stored form.</summary>
    public static int BytesPerVoxel(this VoxelKind kind) => kind == VoxelKind.Boolean ? 1 : 4 * kind.Components();

    /// <summary>The element type as the summary shows it (<c>boolean</c>, <c>float32</c>, <c>rgb float32</c>, <c>rgba float32</c>).</summary>
    public static string DisplayName(this VoxelKind kind) => kind switch
    {
        VoxelKind.Boolean => "boolean",
        VoxelKind.Number => "float32",
        VoxelKind.Rgb => "rgb float32",
        VoxelKind.Rgba => "rgba float32",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown voxel kind."),
    };

    /// <summary>True for a defined kind.</summary>
    public static bool IsDefined(this VoxelKind kind) => kind is VoxelKind.Boolean or VoxelKind.Number or VoxelKind.Rgb or VoxelKind.Rgba;
}
