using VoxScheduler.Images;
using VoxScheduler.Operations;
using VoxScheduler.Operations.Builtins;

namespace VoxScheduler.Tests.Images.Vox1;

/// <summary>
/// Input images for program-level tests: a <c>fixture</c> namespace whose operations build small
/// images from numbers (image files are the file readers' tests; here the primitives are under test).
/// </summary>
internal static class ImageFixtures
{
    public static OperationRegistry Registry { get; } = CreateRegistry();

    private static OperationRegistry CreateRegistry()
    {
        var registry = BuiltinOperations.CreateRegistry();
        // fixture.cube(n, lo, hi): an n×n×n boolean image, true on the cube lo..hi in every axis.
        registry.Register(Operation.Create("fixture.cube", 3, 3, c =>
        {
            var (n, lo, hi) = ((int)c.Number(0), (int)c.Number(1), (int)c.Number(2));
            var g = ImageGeometry.Of3D(n, n, n);
            var v = new byte[n * n * n];
            for (var z = lo; z <= hi; z++)
            for (var y = lo; y <= hi; y++)
            for (var x = lo; x <= hi; x++)
            {
                v[x + n * (y + n * z)] = 1;
            }

            return Image.FromBooleans(g, v);
        }));
        // fixture.row(v1, v2, …): a 2-D number image one row high with these values.
        registry.Register(Operation.Create("fixture.row", 1, -1, c =>
            Image.FromNumbers(ImageGeometry.Of2D(c.Count, 1), c.Arguments.Select((_, i) => (float)c.Number(i)).ToArray())));
        // fixture.mask(b1, b2, …): a 2-D boolean image one row high.
        registry.Register(Operation.Create("fixture.mask", 1, -1, c =>
            Image.FromBooleans(ImageGeometry.Of2D(c.Count, 1), c.Arguments.Select((_, i) => (byte)(c.Number(i) != 0 ? 1 : 0)).ToArray())));
        return registry;
    }

    public static Image Row(params float[] values) => Image.FromNumbers(ImageGeometry.Of2D(values.Length, 1), values);

    public static Image Mask(params int[] values) => Image.FromBooleans(ImageGeometry.Of2D(values.Length, 1), values.Select(v => (byte)v).ToArray());

    public static float[] Numbers(object? image) => Assert.IsType<Image>(image).Numbers.ToArray();

    public static byte[] Booleans(object? image) => Assert.IsType<Image>(image).Booleans.ToArray();
}
