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
        Assert.Equal("MissingImport", problem.Code);
        Assert.Equal(2, problem.Line);
        Assert.Equal(8, problem.Column);
        AssertSameAsMissing(problem, target);
    }

    [Fact]
    public void Absolute_imports_outside_the_read_root_are_refused()
    {
        var target = Path.Combine(Outside, "secret.imgql");
        var e = Assert.Throws<ValidationException>(() => Compile($"import \"{target}\"\nprint \"a\" leak", Root));
        AssertSameAsMissing(e.Problems[0], target);
    }

    /// <summary>
    /// A file outside the read root gets exactly the answer a missing file gets (issue 14 item 8):
    /// otherwise the message tells a caller which files exist on the server.
    /// </summary>
    private void AssertSameAsMissing(ValidationProblem problem, string target)
    {
        var missing = target.Replace("secret", "no-such-file", StringComparison.Ordinal);
        var e = Assert.Throws<ValidationException>(() => Compile($"x = 1\nimport \"{missing}\"\nprint \"a\" x", Root));
        var expected = Assert.Single(e.Problems);
        Assert.Equal(expected.Code, problem.Code);
        Assert.Equal(expected.Message.Split(": ", 2)[1].Replace(missing, target, StringComparison.Ordinal), problem.Message.Split(": ", 2)[1]);
        if (!Path.IsPathRooted(target)) Assert.DoesNotContain(Outside, problem.Message); // an absolute target is the caller's own text
        Assert.DoesNotContain(Root, problem.Message);
    }

    [Fact]
    public void A_linked_directory_inside_the_read_root_pointing_outside_is_refused()
    {
        // data/shared -> outside: only the last component is a plain file, so only resolving
        // every component of the path finds that it leads out.
        Directory.CreateSymbolicLink(Path.Combine(Root, "shared"), Outside);
        var e = Assert.Throws<ValidationException>(() => Compile("import \"shared/secret.imgql\"\nprint \"a\" leak", Root));
        Assert.Equal("MissingImport", e.Problems[0].Code);
        Assert.False(PathContainment.IsWithin(Root, Path.Combine(Root, "shared", "secret.imgql")));
        Assert.False(PathContainment.IsWithin(Root, Path.Combine(Root, "shared", "not-yet", "x.txt")));
        Assert.True(PathContainment.IsWithin(Root, Path.Combine(Root, "lib.imgql")));
        Assert.True(PathContainment.IsWithin(Root, Path.Combine(Root, "new", "x.txt")));
    }

    [Fact]
    public void A_save_through_a_linked_directory_pointing_outside_is_refused()
    {
        Directory.CreateSymbolicLink(Path.Combine(Root, "out"), Outside);
        var e = Assert.Throws<ValidationException>(() => ProgramCompiler.Compile("save \"out/x.txt\" 1", _operations,
            new CompileOptions { WorkingDirectory = Root, OutputRoot = Root }));
        Assert.Equal("PathOutsideOutputRoot", Assert.Single(e.Problems).Code);
    }

    [Fact]
    public void Confined_programs_see_relative_program_folders()
    {
        var confined = Compile("print \"c\" $cwd\nprint \"d\" $dir", Root).Dag;
        Assert.Equal(".", confined.Nodes[confined.Goals[0].Node].Value);
        Assert.Equal(".", confined.Nodes[confined.Goals[1].Node].Value);
        var free = Compile("print \"c\" $cwd", null).Dag;
        Assert.Equal(Root, free.Nodes[free.Goals[0].Node].Value);
    }

    [Fact]
    public void A_link_inside_the_read_root_pointing_outside_is_refused()
    {
        var link = Path.Combine(Root, "innocent.imgql");
        File.CreateSymbolicLink(link, Path.Combine(Outside, "secret.imgql"));
        var e = Assert.Throws<ValidationException>(() => Compile("import \"innocent.imgql\"\nprint \"a\" leak", Root));
        Assert.Equal("MissingImport", e.Problems[0].Code);
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
