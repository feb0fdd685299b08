using VoxScheduler.Dag;
using VoxScheduler.Language;
using VoxScheduler.Operations;
using VoxScheduler.Operations.Builtins;

namespace VoxScheduler.Tests.Language;

/// <summary>CompileOptions.ReadRoot keeps file imports (and compile-time load hashing) inside a folder.</summary>
public sealed class ReadRootTests : IDisposable
{
    private readonly DirectoryInfo _base = Directory.CreateTempSubdirectory("vox-readroot-");
    private readonly OperationRegistry _operations = BuiltinOperations.CreateRegistry();

    public ReadRootTests()
    {
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(Outside);
        File.WriteAllText(Path.Combine(Root, "lib.imgql"), "answer = 42\n");
        File.WriteAllText(Path.Combine(Outside, "secret.imgql"), "leak = 1\n");
        File.WriteAllText(Path.Combine(Outside, "data.txt"), "x\n");
    }

    private string Root => Path.Combine(_base.FullName, "root");

    private string Outside => Path.Combine(_base.FullName, "outside");

    public void Dispose() => _base.Delete(recursive: true);

    private CompiledProgram Compile(string program, string? readRoot) =>
        ProgramCompiler.Compile(program, _operations, new CompileOptions { WorkingDirectory = Root, ReadRoot = readRoot });

    [Fact]
    public void Imports_inside_the_read_root_are_allowed()
    {
        var compiled = Compile("import \"lib.imgql\"\nprint \"a\" answer", Root);
        Assert.Single(compiled.Dag.Goals);
    }

    [Theory]
    [InlineData("../outside/secret.imgql")]
    [InlineData("sub/../../outside/secret.imgql")]
    public void Imports_leaving_the_read_root_are_refused_with_their_position(string target)
    {
        var e = Assert.Throws<ValidationException>(() => Compile($"x = 1\nimport \"{target}\"\nprint \"a\" x", Root));
        var problem = Assert.Single(e.Problems);
        Assert.Equal("PathOutsideReadRoot", problem.Code);
        Assert.Equal(2, problem.Line);
        Assert.Equal(8, problem.Column);
    }

    [Fact]
    public void Absolute_imports_outside_the_read_root_are_refused()
    {
        var target = Path.Combine(Outside, "secret.imgql");
        var e = Assert.Throws<ValidationException>(() => Compile($"import \"{target}\"\nprint \"a\" leak", Root));
        Assert.Contains(e.Problems, p => p.Code == "PathOutsideReadRoot");
    }

    [Fact]
    public void A_link_inside_the_read_root_pointing_outside_is_refused()
    {
        var link = Path.Combine(Root, "innocent.imgql");
        File.CreateSymbolicLink(link, Path.Combine(Outside, "secret.imgql"));
        var e = Assert.Throws<ValidationException>(() => Compile("import \"innocent.imgql\"\nprint \"a\" leak", Root));
        Assert.Contains(e.Problems, p => p.Code == "PathOutsideReadRoot");
    }

    [Fact]
    public void Without_a_read_root_imports_use_the_callers_rights()
    {
        var compiled = Compile($"import \"{Path.Combine(Outside, "secret.imgql")}\"\nprint \"a\" leak", null);
        Assert.Single(compiled.Dag.Goals);
    }

    [Fact]
    public void A_constant_load_outside_the_read_root_is_not_read_while_reducing()
    {
        var path = Path.Combine(Outside, "data.txt");
        var confined = Compile($"print \"d\" load(\"{path}\")", Root).Dag;
        var free = Compile($"print \"d\" load(\"{path}\")", null).Dag;
        var confinedNode = confined.Nodes[confined.Goals[0].Node];
        var freeNode = free.Nodes[free.Goals[0].Node];
        Assert.Null(confinedNode.Attributes);
        Assert.NotEqual(freeNode.Operator, confinedNode.Operator);
        Assert.True(freeNode.Attributes!.ContainsKey("sha256"));
    }

    [Fact]
    public void Path_containment_normalises_before_comparing()
    {
        Assert.True(PathContainment.IsInside(Root, Path.Combine(Root, "a", "..", "b")));
        Assert.True(PathContainment.IsInside(Root, Root));
        Assert.False(PathContainment.IsInside(Root, Path.Combine(Root, "..", "outside")));
        Assert.False(PathContainment.IsInside(Root, Root + "-sibling"));
    }
}
