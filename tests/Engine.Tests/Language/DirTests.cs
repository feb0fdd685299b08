using VoxScheduler.Dag;
using VoxScheduler.Language;
using VoxScheduler.Operations;
using VoxScheduler.Operations.Builtins;

namespace VoxScheduler.Tests.Language;

/// <summary>
/// <c>dir(root, pattern, recursive, full_paths)</c> (LANGUAGE.md §7): listed while reducing when its
/// arguments are constant, so each case's <c>load</c> is keyed by its content; confined to a read
/// root with relative answers; bounded.
/// </summary>
public sealed class DirTests : IDisposable
{
    private static OperationRegistry Registry => CompileTests.Registry;

    private readonly TempFolder _work = new("vox-dir");

    public void Dispose() => _work.Dispose();

    private string Cases(params string[] names)
    {
        var cases = _work.Sub("cases");
        foreach (var name in names) File.WriteAllText(Path.Combine(cases, name), $"[{name.Length}]");
        return cases;
    }

    private DagDefinition Compile(string program, string? readRoot = null) =>
        ProgramCompiler.Compile(program, Registry, new CompileOptions { WorkingDirectory = _work.Path, ReadRoot = readRoot }).Dag;

    private List<(DagGoal Goal, object? Value, Exception? Error)> Run(DagDefinition dag, string? readRoot = null) =>
        new DagInterpreter(Registry, new OperationEnvironment { WorkingDirectory = _work.Path, ReadRoot = readRoot }).Run(dag);

    [Fact]
    public void Entries_are_the_matching_names_ordinal_sorted_relative_to_the_root()
    {
        Cases("b.json", "a.json", "B.json", "notes.txt");
        Directory.CreateDirectory(_work.Combine("cases", "sub"));
        File.WriteAllText(_work.Combine("cases", "sub", "c.json"), "[0]");
        var dag = Compile("print \"flat\" dir(\"cases\", \"*.json\")\nprint \"deep\" dir(\"cases\", \"*.json\", true)\nprint \"all\" dir(\"cases\")");
        var results = Run(dag);
        Assert.All(results, r => Assert.Null(r.Error));
        Assert.Equal(new object?[] { "B.json", "a.json", "b.json" }, results[0].Value);
        Assert.Equal(new object?[] { "B.json", "a.json", "b.json", "sub/c.json" }, results[1].Value);
        Assert.Equal(new object?[] { "B.json", "a.json", "b.json", "notes.txt", "sub" }, results[2].Value);
    }

    [Fact]
    public void A_constant_listing_becomes_constant_paths_whose_loads_are_keyed_by_content()
    {
        Cases("case1.json", "case2.json");
        const string Program = "print \"sizes\" for f in dir(\"cases\", \"*.json\", false, true) do load(f)";
        var first = Compile(Program);
        Assert.DoesNotContain(first.Nodes, n => n.Operator == "default.dir");
        var loads = first.Nodes.Where(n => n.Operator == "default.load").ToList();
        Assert.Equal(2, loads.Count);
        Assert.All(loads, n => Assert.Equal(64, ((string)n.Attributes!["sha256"]!).Length));
        Assert.Equal(new object?[] { new object?[] { 10d }, new object?[] { 10d } }, Run(first)[0].Value);

        // A new case adds exactly its own load; the existing cases keep their ids (served from the store on a rerun).
        File.WriteAllText(_work.Combine("cases", "case3.json"), "[3]");
        var second = Compile(Program);
        var secondLoads = second.Nodes.Where(n => n.Operator == "default.load").Select(n => n.Id).ToHashSet();
        Assert.Equal(3, secondLoads.Count);
        Assert.All(loads, n => Assert.Contains(n.Id, secondLoads));
        Assert.Equal(new object?[] { new object?[] { 10d }, new object?[] { 10d }, new object?[] { 3d } }, Run(second)[0].Value);
    }

    [Fact]
    public void A_computed_root_is_listed_at_run_time()
    {
        Cases("x.json");
        var dag = Compile("import \"strings\"\nprint \"d\" dir(concat(\"ca\", \"ses\"), \"*.json\")");
        Assert.Contains(dag.Nodes, n => n.Operator == "default.dir");
        Assert.Equal(new object?[] { "x.json" }, Run(dag)[0].Value);
    }

    [Fact]
    public void Confined_listings_stay_in_the_read_root_and_answer_relative_paths()
    {
        Cases("x.json");
        var outside = new TempFolder("vox-dir-out");
        try
        {
            var inner = _work.Sub("outputs");
            var program = $"print \"in\" dir(\"../cases\", \"*.json\", false, true)\nprint \"out\" dir(\"{outside.Path}\")";
            var options = new CompileOptions { WorkingDirectory = inner, ReadRoot = _work.Path };
            var dag = ProgramCompiler.Compile(program, Registry, options).Dag;
            var results = new DagInterpreter(Registry, new OperationEnvironment { WorkingDirectory = inner, ReadRoot = _work.Path }).Run(dag);
            Assert.Equal(new object?[] { "../cases/x.json" }, results[0].Value);
            Assert.Contains("outside the data root", results[1].Error!.Message);
        }
        finally
        {
            outside.Dispose();
        }
    }

    [Fact]
    public void Bad_arguments_fail_with_clear_errors()
    {
        Cases();
        var results = Run(Compile("print \"a\" dir(\"missing\")\nprint \"b\" dir(\"cases\", \"x/*.json\")"));
        Assert.Contains("does not exist", results[0].Error!.Message);
        Assert.Contains("without folder separators", results[1].Error!.Message);
    }

    [Fact]
    public void More_entries_than_the_bound_is_an_error_naming_it()
    {
        var cases = Cases();
        for (var i = 0; i <= DirectoryListing.MaxEntries; i++) File.Create(Path.Combine(cases, $"{i}.txt")).Dispose();
        var dag = Compile("print \"n\" length(dir(\"cases\"))");
        Assert.Contains(dag.Nodes, n => n.Operator == "default.dir"); // not listed while reducing: it fails at run time
        var error = Run(dag)[0].Error!;
        Assert.Contains($"more than {DirectoryListing.MaxEntries} entries", error.Message);
    }
}
