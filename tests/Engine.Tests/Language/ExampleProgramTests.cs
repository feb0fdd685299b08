using VoxScheduler.Language;
using VoxScheduler.Operations;

namespace VoxScheduler.Tests.Language;

/// <summary>The examples/ programs compile, and every goal of the quick ones computes the value its comment promises.</summary>
public sealed class ExampleProgramTests
{
    private static string ExamplesFolder => RepoPaths.Examples;

    public static TheoryData<string> Examples()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.EnumerateFiles(ExamplesFolder, "*.imgql").Order(StringComparer.Ordinal)) data.Add(Path.GetFileName(f));
        return data;
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Example_compiles_with_goals(string name)
    {
        using var workFolder = new TempFolder("vox-example");
        var work = workFolder.Path;
        var dag = ProgramCompiler.CompileFile(Path.Combine(ExamplesFolder, name), CompileTests.Registry, new CompileOptions { WorkingDirectory = work }).Dag;
        Assert.NotEmpty(dag.Goals);
    }

    [Theory]
    [InlineData("hello.imgql", "answer", 3d)]
    [InlineData("arithmetic.imgql", "hypot", 5d)]
    [InlineData("arithmetic.imgql", "user_operator", 41d)]
    [InlineData("fibonacci.imgql", "f20", 6765d)]
    [InlineData("fibonacci.imgql", "fib5_of_1", 13d)]
    [InlineData("loops.imgql", "sum", 45d)]
    [InlineData("loops.imgql", "countdown", 94d)]
    [InlineData("loops.imgql", "corner", 22d)]
    [InlineData("loops.imgql", "big_sum", 999000d)]
    [InlineData("strings.imgql", "formatted", "P-1024 scored 0.87")]
    [InlineData("strings.imgql", "number_text", "0.25")]
    public void Example_goal_has_the_documented_value(string name, string goal, object expected)
    {
        using var workFolder = new TempFolder("vox-example");
        var work = workFolder.Path;
        var dag = ProgramCompiler.CompileFile(Path.Combine(ExamplesFolder, name), CompileTests.Registry, new CompileOptions { WorkingDirectory = work }).Dag;
        var results = new DagInterpreter(CompileTests.Registry, new OperationEnvironment { WorkingDirectory = work }).Run(dag);
        Assert.All(results, r => Assert.Null(r.Error));
        Assert.Equal(expected, results.Single(r => r.Goal.Name == goal).Value);
    }
}
