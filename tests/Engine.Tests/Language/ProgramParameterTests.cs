using VoxScheduler.Dag;
using VoxScheduler.Language;
using VoxScheduler.Operations;
using VoxScheduler.Operations.Builtins;

namespace VoxScheduler.Tests.Language;

/// <summary>Program parameters (docs/language.md §2): a bound value replaces a top-level declaration with a constant.</summary>
public sealed class ProgramParameterTests
{
    private const string Program = "threshold = 0.25\nscaled = threshold * 10\nprint \"scaled\" scaled\n";

    private readonly OperationRegistry _operations = BuiltinOperations.CreateRegistry();

    private DagDefinition Compile(string program, Dictionary<string, object?>? parameters) =>
        ProgramCompiler.Compile(program, _operations, new CompileOptions { Parameters = parameters }).Dag;

    private static object? ConstantOf(DagDefinition dag, string label) => dag.Nodes[dag.Labels[label]].Value;

    [Fact]
    public void A_parameter_replaces_the_declaration_with_its_value()
    {
        var dag = Compile(Program, new() { ["threshold"] = 0.5 });
        Assert.Equal(0.5, ConstantOf(dag, "threshold"));
        Assert.DoesNotContain(dag.Nodes, n => n.Kind == NodeKind.Constant && Equals(n.Value, 0.25));
    }

    [Fact]
    public void The_value_is_part_of_the_node_ids()
    {
        var plain = Compile(Program, null);
        var same = Compile(Program, new() { ["threshold"] = 0.25 });
        var other = Compile(Program, new() { ["threshold"] = 0.5 });
        var goal = plain.Goals[0].Node;
        Assert.Equal(plain.Nodes[goal].Id, same.Nodes[same.Goals[0].Node].Id);
        Assert.NotEqual(plain.Nodes[goal].Id, other.Nodes[other.Goals[0].Node].Id);
        Assert.NotEqual(plain.DagId, other.DagId);
    }

    [Fact]
    public void Strings_booleans_and_arrays_bind_too()
    {
        var dag = Compile("name = \"a\"\nflag = false\nitems = [1]\nprint \"n\" name\nprint \"f\" flag\nprint \"i\" items\n",
            new() { ["name"] = "b", ["flag"] = true, ["items"] = new object?[] { 1.0, 2.0 } });
        Assert.Equal("b", ConstantOf(dag, "name"));
        Assert.Equal(true, ConstantOf(dag, "flag"));
        Assert.Equal(new object?[] { 1.0, 2.0 }, Assert.IsType<object?[]>(ConstantOf(dag, "items")));
    }

    [Fact]
    public void An_unknown_name_is_an_error_naming_it_and_the_declared_values()
    {
        var e = Assert.Throws<ValidationException>(() => Compile(Program, new() { ["treshold"] = 0.5 }));
        var problem = Assert.Single(e.Problems);
        Assert.Equal("UnknownParameter", problem.Code);
        Assert.Contains("'treshold'", problem.Message, StringComparison.Ordinal);
        Assert.Contains("scaled, threshold", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_function_declaration_cannot_be_replaced()
    {
        var e = Assert.Throws<ValidationException>(() => Compile("f(x) = x + 1\nprint \"r\" f(2)\n", new() { ["f"] = 3.0 }));
        var problem = Assert.Single(e.Problems);
        Assert.Equal("ParameterIsFunction", problem.Code);
        Assert.Equal(1, problem.Line);
    }

    [Fact]
    public void Declarations_of_imported_files_are_not_parameters()
    {
        var folder = Directory.CreateTempSubdirectory("vox-params-");
        try
        {
            File.WriteAllText(Path.Combine(folder.FullName, "lib.imgql"), "libvalue = 1\n");
            var e = Assert.Throws<ValidationException>(() => ProgramCompiler.Compile("import \"lib.imgql\"\nprint \"v\" libvalue\n", _operations,
                new CompileOptions { WorkingDirectory = folder.FullName, Parameters = new Dictionary<string, object?> { ["libvalue"] = 2.0 } }));
            Assert.Equal("UnknownParameter", Assert.Single(e.Problems).Code);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
