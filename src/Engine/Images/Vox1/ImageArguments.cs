using VoxScheduler.Images.Kernels;
using VoxScheduler.Operations;

namespace VoxScheduler.Images.Vox1;

/// <summary>Reads image arguments of an operation with clear errors naming the operation, the argument and what it got.</summary>
internal static class ImageArguments
{
    public static Image Any(OperationContext c, int index) =>
        c[index] as Image ?? throw c.TypeError(index, "an image", c[index]);

    public static Image Number(OperationContext c, int index)
    {
        var image = Any(c, index);
        return image.Kind == VoxelKind.Number ? image : throw WrongKind(c, index, "a number image", image);
    }

    public static Image Boolean(OperationContext c, int index)
    {
        var image = Any(c, index);
        return image.Kind == VoxelKind.Boolean ? image : throw WrongKind(c, index, "a boolean image", image);
    }

    /// <summary>A scalar argument converted to float32, as images meet numbers (IMAGES.md §1).</summary>
    public static float Scalar(OperationContext c, int index) => (float)c.Number(index);

    /// <summary>Requires every image to have the first one's size (IMAGES.md §1); geometry differences within the size are allowed and the first image's geometry is used.</summary>
    public static void SameSize(OperationContext c, params Image[] images)
    {
        for (var i = 1; i < images.Length; i++)
        {
            if (!images[0].Geometry.SameSize(images[i].Geometry))
            {
                throw c.Fail($"the images have different sizes ({images[0].Geometry.SizeText} and {images[i].Geometry.SizeText}).");
            }
        }
    }

    public static VoxelGrid Grid(Image image)
    {
        var g = image.Geometry;
        return new VoxelGrid(g.Width, g.Height, g.Depth, g.Spacing.X, g.Spacing.Y, g.Spacing.Z);
    }

    public static NodeExecutionException WrongKind(OperationContext c, int index, string expected, Image image) =>
        c.Fail($"argument {index + 1} must be {expected}, not an image of {image.Kind.DisplayName()} voxels.");
}
