using VoxScheduler.Dag;
using VoxScheduler.Language;
using VoxScheduler.Operations;
using VoxScheduler.Operations.Builtins;

namespace VoxScheduler.Tests.Language;

public sealed class CompileTests
{
    internal static readonly OperationRegistry Registry = BuiltinOperations.CreateRegistry();

    internal static DagDefinition Compile(string program, CompileOptions? options = null) => ProgramCompiler.Compile(program, Registry, options).Dag;

    internal static object? Run(string program, string label = "r")
    {
        var dag = Compile(program);
        var results = new DagInterpreter(Registry).Run(dag);
        var (_, value, error) = results.Single(r => r.Goal.Name == label);
        if (error is not null) throw error;
        return value;
    }

    [Theory]
    // default.add and default.mul are at revision 2 since they work on images (IMAGES.md §4); the
    // ids follow the rules of docs/language.md §5 (the revision-1 vectors are checked in DagBuilderTests).
    [InlineData("print \"r\" 1 + 2", "29464fa6577c29610997e6e7bfe5247beff619608329ff6458de9baa2ef96025")]
    [InlineData("print \"r\" (1 + 2) * 2", "3b398dc531ac2aa425a3f530a5b3ca23457445515c3050ba612468991a8c1e81")]
    [InlineData("print \"r\" 1", "baf06e38c494e317b81897214c9f5faba45dc3edab71cf5ca390b9126c4aacc7")]
    [InlineData("print \"r\" 2", "a9bf65e9ca53f89ecc5a159739a7ecc47e3b0a5347630d274436724484b55581")]
    [InlineData("print \"r\" true", "dbad17705ef316652b34619196d128a2505d4cfd49bfa5798bdcca7200edbd41")]
    [InlineData("print \"r\" \"foo\"", "d93d9257fc453ea55e09b764dfcbce7ede2f8cfe066a226bc9360b9a23a99f70")]
    public void Goal_node_ids_match_the_language_test_vectors(string program, string expectedId)
    {
        var dag = Compile(program);
        Assert.Equal(expectedId, dag.Nodes[dag.Goals[0].Node].Id.ToString());
    }

    [Fact]
    public void The_same_expression_through_declarations_and_functions_has_the_same_id()
    {
        var dag = Compile("a = 1\nb = 2\nf(x, y) = (x + y) * y\nprint \"r\" f(a, b)");
        Assert.Equal("3b398dc531ac2aa425a3f530a5b3ca23457445515c3050ba612468991a8c1e81", dag.Nodes[dag.Goals[0].Node].Id.ToString());
    }

    [Fact]
    public void Goals_are_in_source_order_with_kinds_and_resolved_save_paths()
    {
        var root = Path.Combine(Path.GetTempPath(), "vox-compile-" + Guid.NewGuid().ToString("N"));
        var dag = Compile("print \"b\" 2\nsave \"out/x.txt\" 1\nprint \"a\" 1", new CompileOptions { WorkingDirectory = root });
        Assert.Equal(["b", "out/x.txt", "a"], dag.Goals.Select(g => g.Name));
        Assert.Equal([GoalKind.Print, GoalKind.Save, GoalKind.Print], dag.Goals.Select(g => g.Kind));
        Assert.Equal(Path.Combine(root, "out", "x.txt"), dag.Goals[1].Path);
    }

    [Fact]
    public void Saving_outside_the_output_root_is_refused_unless_allowed()
    {
        var root = Path.Combine(Path.GetTempPath(), "vox-compile-" + Guid.NewGuid().ToString("N"));
        var e = Assert.Throws<ValidationException>(() => Compile("save \"../escape.txt\" 1", new CompileOptions { WorkingDirectory = root }));
        Assert.Equal("PathOutsideOutputRoot", e.Problems.Single().Code);
        Assert.Equal(1, e.Problems[0].Line);
        var dag = Compile("save \"../escape.txt\" 1", new CompileOptions { WorkingDirectory = root, AllowWritesOutsideOutputRoot = true });
        Assert.Equal(Path.GetFullPath(Path.Combine(root, "..", "escape.txt")), dag.Goals[0].Path);
    }

    [Fact]
    public void Function_application_is_memoized_and_hash_consed()
    {
        // f(x) is called 2^20 times along the doubling chain but only 21 distinct nodes exist.
        var lines = new List<string> { "let g0(x) = x + 1" };
        for (var i = 1; i <= 20; i++) lines.Add($"let g{i}(x) = g{i - 1}(x) + g{i - 1}(x)");
        lines.Add("print \"r\" g20(1)");
        var dag = Compile(string.Join("\n", lines));
        Assert.True(dag.Nodes.Count < 30, $"{dag.Nodes.Count} nodes");
        Assert.Equal(2097152d, new DagInterpreter(Registry).Run(dag)[0].Value);
    }

    [Fact]
    public void Static_loops_unroll_into_sequence_nodes()
    {
        var dag = Compile("print \"r\" for i in [1, 2, 3] do i * 10");
        var goal = dag.Nodes[dag.Goals[0].Node];
        Assert.Equal("default.sequence", goal.Operator);
        Assert.Equal(3, goal.Arguments.Length);
        Assert.All(goal.Arguments, a => Assert.Equal("default.mul", dag.Nodes[a].Operator));
    }

    [Fact]
    public void Range_with_constant_bounds_is_the_sequence_of_its_numbers()
    {
        var a = Compile("print \"r\" range(0, 3)");
        var b = Compile("print \"r\" [0, 1, 2]");
        Assert.Equal(b.Nodes[b.Goals[0].Node].Id, a.Nodes[a.Goals[0].Node].Id);
    }

    [Fact]
    public void Run_time_loops_become_one_expandable_node_with_the_body_as_attribute()
    {
        var dag = Compile("xs = [1, 2, 3]\nk = 50 + 50\nprint \"r\" for i in range(0, length(xs)) do i * 2 + k");
        var loop = dag.Nodes[dag.Goals[0].Node];
        Assert.Equal("default.for_each", loop.Operator);
        Assert.Equal("i", loop.Attributes!["variable"]);
        Assert.Equal(2, loop.Arguments.Length); // the sequence and the captured k
        var interpreter = new DagInterpreter(Registry);
        Assert.Equal(new object?[] { 100d, 102d, 104d }, interpreter.Run(dag)[0].Value);
        Assert.Equal(1, interpreter.Expansions);
    }

    [Fact]
    public void Run_time_loop_ids_do_not_depend_on_the_compilation()
    {
        var program = "n = length([1, 2])\nprint \"r\" filter x in range(0, n * 3) do x % 2 == 0";
        var a = Compile(program);
        var b = Compile("// another comment\n" + program);
        Assert.Equal(a.Nodes[a.Goals[0].Node].Id, b.Nodes[b.Goals[0].Node].Id);
        Assert.Equal(new object?[] { 0d, 2d, 4d }, new DagInterpreter(Registry).Run(a)[0].Value);
    }

    [Fact]
    public void Huge_run_time_loops_expand_incrementally()
    {
        var dag = Compile("n = length([1, 2])\nprint \"r\" fold + (for i in range(0, n * 5000) do i * 2)");
        var interpreter = new DagInterpreter(Registry);
        Assert.Equal(2d * (10000d * 9999d / 2), interpreter.Run(dag)[0].Value);
        Assert.True(interpreter.Expansions > 10, $"{interpreter.Expansions} expansions");
    }

    [Fact]
    public void Nested_run_time_loops_capture_the_outer_variable()
    {
        var dag = Compile("n = length([1, 2])\nprint \"r\" for i in range(0, n) do for j in range(0, n + i) do i * 10 + j");
        Assert.Equal(new object?[] { new object?[] { 0d, 1d }, new object?[] { 10d, 11d, 12d } }, new DagInterpreter(Registry).Run(dag)[0].Value);
    }

    [Fact]
    public void Map_over_a_run_time_sequence_calls_the_function_per_item()
    {
        var dag = Compile("k = 3\nf(x) = x * k\nxs = range(0, length([1, 2, 3]))\nprint \"r\" map(f, xs)");
        Assert.Equal(new object?[] { 0d, 3d, 6d }, new DagInterpreter(Registry).Run(dag)[0].Value);
    }

    [Fact]
    public void Imports_resolve_relative_to_the_importing_file_once_each()
    {
        using var dirFolder = new TempFolder("vox-import");
        var dir = dirFolder.Path;
        Directory.CreateDirectory(Path.Combine(dir, "lib"));
        File.WriteAllText(Path.Combine(dir, "lib", "a.imgql"), "import \"b.imgql\"\nlet twice(x) = x * two");
        File.WriteAllText(Path.Combine(dir, "lib", "b.imgql"), "two = 2\nprint \"ignored\" 1");
        File.WriteAllText(Path.Combine(dir, "main.imgql"), "import \"lib/a.imgql\"\nimport \"lib/b.imgql\"\nprint \"r\" twice(21) + two");
        var dag = ProgramCompiler.CompileFile(Path.Combine(dir, "main.imgql"), Registry).Dag;
        Assert.Single(dag.Goals);
        Assert.Equal(44d, new DagInterpreter(Registry).Run(dag)[0].Value);
    }

    [Fact]
    public void Imports_fall_back_to_the_library_paths()
    {
        using var dirFolder = new TempFolder("vox-import");
        var dir = dirFolder.Path;
        using var libFolder = new TempFolder("vox-lib");
        var lib = libFolder.Path;
        File.WriteAllText(Path.Combine(lib, "util.imgql"), "let inc(x) = x + 1");
        File.WriteAllText(Path.Combine(dir, "main.imgql"), "import \"util\"\nprint \"r\" inc(1)");
        var dag = ProgramCompiler.CompileFile(Path.Combine(dir, "main.imgql"), Registry, new CompileOptions { LibraryPaths = [lib] }).Dag;
        Assert.Equal(2d, new DagInterpreter(Registry).Run(dag)[0].Value);
    }

    [Fact]
    public void Load_with_a_constant_path_carries_the_file_hash()
    {
        using var dirFolder = new TempFolder("vox-load");
        var dir = dirFolder.Path;
        File.WriteAllText(Path.Combine(dir, "data.json"), "[1, 2, 3]");
        var options = new CompileOptions { WorkingDirectory = dir };
        var first = ProgramCompiler.Compile("print \"r\" load(\"data.json\")", Registry, options).Dag;
        File.WriteAllText(Path.Combine(dir, "data.json"), "[1, 2, 4]");
        var second = ProgramCompiler.Compile("print \"r\" load(\"data.json\")", Registry, options).Dag;
        var node = second.Nodes[second.Goals[0].Node];
        Assert.Equal("default.load", node.Operator);
        Assert.Equal(64, ((string)node.Attributes!["sha256"]!).Length);
        Assert.NotEqual(first.Nodes[first.Goals[0].Node].Id, node.Id);
        var env = new OperationEnvironment { WorkingDirectory = dir };
        Assert.Equal(new object?[] { 1d, 2d, 4d }, new DagInterpreter(Registry, env).Run(second)[0].Value);
        var stale = new DagInterpreter(Registry, env).Run(first)[0];
        Assert.Contains("changed since", stale.Error!.Message);
    }

    [Fact]
    public void Load_with_a_computed_path_is_volatile()
    {
        var dag = Compile("import \"strings\"\nprint \"r\" load(concat(\"a\", \".txt\"))");
        var node = dag.Nodes[dag.Goals[0].Node];
        Assert.Equal("default.load_volatile", node.Operator);
        Assert.True(Registry.TryGet(node.Operator, out var op));
        Assert.False(op.IsCacheable);
    }

    [Fact]
    public void Program_variables_are_strings_and_cannot_be_declared()
    {
        using var dirFolder = new TempFolder("vox-vars");
        var dir = dirFolder.Path;
        File.WriteAllText(Path.Combine(dir, "scan.imgql"), "import \"strings\"\nprint \"r\" concat($stem, \"|\", $file)");
        var dag = ProgramCompiler.CompileFile(Path.Combine(dir, "scan.imgql"), Registry).Dag;
        Assert.Equal("scan|scan.imgql", new DagInterpreter(Registry).Run(dag)[0].Value);
        var e = Assert.Throws<ValidationException>(() => Compile("$file = 3"));
        Assert.Equal("ReservedName", e.Problems.Single().Code);
    }

    [Fact]
    public void Declared_values_are_labelled()
    {
        var dag = Compile("answer = 1 + 2\nprint \"r\" answer");
        Assert.Equal(dag.Goals[0].Node, dag.Labels["answer"]);
    }
}
