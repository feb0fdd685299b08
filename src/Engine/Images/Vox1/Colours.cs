using VoxScheduler.Operations;

namespace VoxScheduler.Images.Vox1;

/// <summary><c>intensity</c>, <c>red green blue alpha</c>, <c>rgb rgba</c> (IMAGES.md §4): models and colour components.</summary>
internal static class Colours
{
    /// <summary>What <c>alpha</c> gives for an image without an alpha channel.</summary>
    public const float OpaqueAlpha = 255f;

    public static object? Intensity(OperationContext c)
    {
        var m = ImageArguments.Any(c, 0);
        switch (m.Kind)
        {
            case VoxelKind.Number:
                return m;
            case VoxelKind.Rgb or VoxelKind.Rgba:
            {
                var stride = m.Kind == VoxelKind.Rgb ? 3 : 4;
                var comps = m.Components;
                using var dst = RentedVoxels.Numbers(m.VoxelCount);
                var d = dst.Floats;
                for (var i = 0; i < d.Length; i++)
                {
                    var at = i * stride;
                    d[i] = 0.2126f * comps[at] + 0.7152f * comps[at + 1] + 0.0722f * comps[at + 2];
                }

                return m.WithRented(dst);
            }

            default:
                throw ImageArguments.WrongKind(c, 0, "a number or colour image", m);
        }
    }

    public static object? Component(OperationContext c, int component)
    {
        var m = ImageArguments.Any(c, 0);
        switch (m.Kind)
        {
            case VoxelKind.Number:
                if (component < 3) return m;
                return Filled(m, OpaqueAlpha);
            case VoxelKind.Rgb when component == 3:
                return Filled(m, OpaqueAlpha);
            case VoxelKind.Rgb or VoxelKind.Rgba:
            {
                var stride = m.Kind == VoxelKind.Rgb ? 3 : 4;
                var comps = m.Components;
                using var dst = RentedVoxels.Numbers(m.VoxelCount);
                var d = dst.Floats;
                for (var i = 0; i < d.Length; i++) d[i] = comps[i * stride + component];
                return m.WithRented(dst);
            }

            default:
                throw ImageArguments.WrongKind(c, 0, "a number or colour image", m);
        }
    }

    /// <summary><c>rgb(r, g, b)</c> or <c>rgba(r, g, b, a)</c> from number images of one size.</summary>
    public static object? Compose(OperationContext c)
    {
        var parts = new Image[c.Count];
        for (var k = 0; k < parts.Length; k++) parts[k] = ImageArguments.Number(c, k);
        ImageArguments.SameSize(c, parts);
        var n = parts[0].VoxelCount;
        var stride = parts.Length;
        using var dst = RentedVoxels.Of(VoxelBufferPool.Shared, stride == 3 ? VoxelKind.Rgb : VoxelKind.Rgba, n);
        var d = dst.Floats;
        for (var k = 0; k < stride; k++)
        {
            var src = parts[k].Numbers;
            for (var i = 0; i < src.Length; i++) d[i * stride + k] = src[i];
        }

        return parts[0].WithRented(dst);
    }

    private static Image Filled(Image shape, float value)
    {
        using var dst = RentedVoxels.Numbers(shape.VoxelCount);
        dst.Floats.Fill(value);
        return shape.WithRented(dst);
    }
}
