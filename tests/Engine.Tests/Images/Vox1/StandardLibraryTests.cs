using VoxScheduler.Images;
using VoxScheduler.Language;
using VoxScheduler.Tests.Language;
using static VoxScheduler.Tests.Images.Vox1.ImageFixtures;

namespace VoxScheduler.Tests.Images.Vox1;

/// <summary>The standard library of IMAGES.md §5, embedded in the engine and loaded by <c>import "vox1"</c>.</summary>
public sealed class StandardLibraryTests
{
    private static object? Run(string program, string label = "r")
    {
        var dag = ProgramCompiler.Compile("import \"vox1\"\n" + program, Registry).Dag;
        var (_, value, error) = new DagInterpreter(Registry).Run(dag).Single(r => r.Goal.Name == label);
        if (error is not null) throw error;
        return value;
    }

    [Fact]
    public void Image_scalar_operators_read_as_voxlogica_1()
    {
        const string i = "i = fixture.row(1, 2, 3)\n";
        Assert.Equal(new byte[] { 0, 1, 1 }, Booleans(Run(i + "print \"r\" 2 .<= i")));   // i ≥ 2
        Assert.Equal(new byte[] { 1, 1, 0 }, Booleans(Run(i + "print \"r\" 2 .>= i")));   // i ≤ 2
        Assert.Equal(new byte[] { 0, 0, 1 }, Booleans(Run(i + "print \"r\" 2 .< i")));    // i > 2
        Assert.Equal(new byte[] { 1, 0, 0 }, Booleans(Run(i + "print \"r\" 2 .> i")));    // i < 2
        Assert.Equal(new byte[] { 0, 0, 1 }, Booleans(Run(i + "print \"r\" i >. 2")));
        Assert.Equal(new byte[] { 1, 1, 0 }, Booleans(Run(i + "print \"r\" i <=. 2")));
        Assert.Equal(new byte[] { 0, 1, 0 }, Booleans(Run(i + "print \"r\" i =. 2")));
        Assert.Equal(new float[] { 3, 4, 5 }, Numbers(Run(i + "print \"r\" i +. 2")));
        Assert.Equal(new float[] { 1, 0, -1 }, Numbers(Run(i + "print \"r\" 2 .- i")));
        Assert.Equal(new float[] { 0.5f, 1, 1.5f }, Numbers(Run(i + "print \"r\" i /. 2")));
        Assert.Equal(true, Run("print \"r\" 2 .<=. 3 .&. !. false"));
    }

    [Fact]
    public void Spatial_operators_of_the_library()
    {
        const string m = "a = fixture.mask(1, 1, 0, 0, 1, 0, 0)\nb = fixture.mask(0, 0, 0, 0, 1, 1, 1)\n";
        Assert.Equal(new byte[] { 1, 1, 1, 1, 1, 1, 0 }, Booleans(Run(m + "print \"r\" N(a)")));
        Assert.Equal(new byte[] { 0, 0, 1, 0, 0, 0, 0 }, Booleans(Run(m + "print \"r\" B+ fixture.mask(1, 1, 0, 0, 0, 0, 0)")));
        Assert.Equal(new byte[] { 1, 1, 0, 0, 0, 0, 0 }, Booleans(Run(m + "print \"r\" a \\ b")));
        Assert.Equal(new byte[] { 0, 0, 0, 0, 1, 1, 1 }, Booleans(Run(m + "print \"r\" b ~> a")));      // b's component touching a
        Assert.Equal(new byte[] { 1, 1, 0, 0, 1, 1, 1 }, Booleans(Run(m + "print \"r\" grow(a, b)")));
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 0, 0 }, Booleans(Run(m + "print \"r\" touch(fixture.mask(1, 0, 0, 0, 0, 0, 0), b)")));
        Assert.Equal(new byte[] { 1, 1, 0, 0, 1, 1, 1 }, Booleans(Run(m + "print \"r\" a | b")));
        Assert.Equal(new byte[] { 0, 0, 0, 0, 1, 0, 0 }, Booleans(Run(m + "print \"r\" a & b")));
        Assert.Equal(new byte[] { 1, 1, 0, 0, 0, 1, 1 }, Booleans(Run(m + "print \"r\" xor(a, b)")));
        Assert.Equal(false, Run(m + "print \"r\" emptyB(a)"));
        Assert.Equal(true, Run(m + "print \"r\" leqB(a & b, b)"));
    }

    [Fact]
    public void Interior_is_not_near_not_through_the_library()
    {
        var r = Run("c = fixture.cube(7, 1, 5)\nprint \"r\" eqB(I(c), !N(!c))");
        Assert.Equal(true, r);
        Assert.Equal(27d, Run("c = fixture.cube(7, 1, 5)\nprint \"r\" volume(I(c))"));
    }

    [Fact]
    public void Distance_operators_smooth_a_cube()
    {
        // Erosion by distance 1 leaves the 3-cube; dilating that by distance 1 adds its 6 faces of
        // 9 voxels (the 5-cube's edges and corners are farther than 1 from it).
        const string c = "c = fixture.cube(9, 2, 6)\n";
        Assert.Equal(27d + 6 * 9, Run(c + "print \"r\" volume(imopen(c, 1))"));
        Assert.Equal(27d, Run(c + "print \"r\" volume(erode(c, 1))"));
        Assert.Equal(5d * 5 * 5 + 6 * 25, Run(c + "print \"r\" volume(dilate(c, 1))")); // faces grow by one voxel, edges (√2) do not
        Assert.Equal(0f, Numbers(Run(c + "print \"r\" pdt(c)")).Min());
    }

    [Fact]
    public void Numbers_from_masks_and_conditionals()
    {
        const string m = "b = fixture.mask(1, 0, 1)\ni = fixture.row(2, 4, 8)\n";
        Assert.Equal(new float[] { 5, 0, 5 }, Numbers(Run(m + "print \"r\" booleanToNumber(5, b)")));
        Assert.Equal(new float[] { 0.25f, 0.5f, 1 }, Numbers(Run(m + "print \"r\" norm(1, i)")));
        Assert.Equal(new float[] { 2, 7, 8 }, Numbers(Run(m + "print \"r\" overlayB(b, fixture.row(7, 7, 7), i)")));
        Assert.Equal(new float[] { 1, 9, 0.5f }, Numbers(Run(m + "print \"r\" divZ(i, fixture.row(2, 0, 16), fixture.row(9, 9, 9))")));
        Assert.Equal(new float[] { 2, 4, 8 }, Numbers(Run(m + "print \"r\" ifN(1 < 2, i, fixture.row(0, 0, 0))")));
        Assert.Equal(new byte[] { 0, 1, 0 }, Booleans(Run(m + "print \"r\" ifB(false, b, !b)")));
    }

    [Fact]
    public void Components_of_the_library()
    {
        const string m = "p = fixture.mask(1, 1, 0, 1)\n";
        Assert.Equal(new float[] { 1, 1, 0, 2 }, Numbers(Run(m + "print \"r\" maskCC(p, p)")));
        Assert.Equal(2d, Run(m + "print \"r\" maxCC(p, p)"));
        Assert.Equal(false, Run(m + "print \"r\" collect(p, p)"));
        Assert.Equal(true, Run(m + "print \"r\" collect(fixture.mask(0, 0, 0, 0), p)"));
        Assert.Equal(true, Run(m + "print \"r\" collect(fixture.mask(1, 1, 1, 1), fixture.mask(1, 1, 1, 1))"));
    }

    [Fact]
    public void The_similarity_operator_is_called_in_call_position()
    {
        var r = Numbers(Run("a = fixture.row(1, 2, 3, 4, 5, 6)\nprint \"r\" ~(a, a, 1, 3)"));
        Assert.Equal(6, r.Length);
        Assert.All(r, v => Assert.InRange(v, -1f, 1f));
    }

    [Fact]
    public void Default_names_keep_their_meaning_after_the_import()
    {
        Assert.Equal(false, Run("print \"r\" !true"));
        Assert.Equal(3d, Run("print \"r\" max([1, 3, 2])"));
        Assert.Equal(8d, Run("i = fixture.row(2, 8, 4)\nprint \"r\" max(i)"));
    }

    [Fact]
    public void An_operator_of_four_operands_is_callable_only_in_call_position()
    {
        var e = Assert.Throws<ValidationException>(() => ProgramCompiler.Compile("let ~(a, b, c, d) = a\nprint \"r\" 1 ~ 2", Registry));
        Assert.Contains(e.Problems, p => p.Message.Contains("declared with 4 operands"));
    }

    [Fact]
    public void The_library_needs_no_file()
    {
        // A read root that allows nothing: the library still loads (it is embedded, not a file).
        var root = Directory.CreateTempSubdirectory("vox1-root-");
        try
        {
            var options = new CompileOptions { ReadRoot = root.FullName, WorkingDirectory = root.FullName };
            var dag = ProgramCompiler.Compile("import \"vox1\"\nprint \"r\" 1 .+. 2", Registry, options).Dag;
            Assert.Equal(3d, new DagInterpreter(Registry).Run(dag).Single().Value);
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }
}
