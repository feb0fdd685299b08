using VoxScheduler.Language;

namespace VoxScheduler.Tests.Language;

public sealed class ReductionErrorTests
{
    private static ValidationProblem[] Errors(string text, CompileOptions? options = null) =>
        Assert.Throws<ValidationException>(() => ProgramCompiler.Compile(text, CompileTests.Registry, options)).Problems.ToArray();

    [Theory]
    [InlineData("f(x) = x + y\nprint \"r\" f(1)", "UnboundName", 1, 12, "unbound name 'y'")]
    [InlineData("print \"r\" zz", "UnboundName", 1, 11, "unbound name 'zz'")]
    [InlineData("f(x) = x\nprint \"r\" f(1, 2)", "WrongArity", 2, 11, "'f' takes 1 argument, not 2")]
    [InlineData("print \"r\" range(1, 2, 3)", "WrongArity", 1, 11, "takes 1..2 arguments, not 3")]
    [InlineData("x = 1\nprint \"r\" x(2)", "CallingValue", 2, 11, "'x' is a value, not a function")]
    [InlineData("f(x) = x\nprint \"r\" f + 1", "FunctionAsValue", 2, 11, "'f' is a function and cannot be used as a value")]
    [InlineData("print \"r\" nope.thing(1)", "UnknownNamespace", 1, 11, "unknown namespace 'nope'")]
    [InlineData("print \"r\" strings.nothing(1)", "UnboundName", 1, 11, "namespace 'strings' has no operation 'nothing'")]
    [InlineData("print \"r\" upper(\"a\")", "UnboundName", 1, 11, "unbound name 'upper'")]
    [InlineData("import \"no_such_thing\"", "MissingImport", 1, 8, "cannot import \"no_such_thing\"")]
    [InlineData("$dir = 1", "ReservedName", 1, 1, "'$dir' is a program variable")]
    [InlineData("print \"r\" $nothing", "UnboundName", 1, 11, "unknown program variable '$nothing'")]
    [InlineData("print \"r\" 1 <+> 2", "UnboundName", 1, 13, "unknown operator '<+>'")]
    [InlineData("let +?(a, b) = a\nprint \"r\" +?1", "WrongArity", 2, 11, "declared with 2 operands but is used with 1")]
    [InlineData("print \"r\" fold ^ [1]", "InvalidFold", 1, 16, "fold combines with")]
    [InlineData("print \"r\" fold / [1]", "InvalidFold", 1, 16, "fold / needs an initial value")]
    [InlineData("f(x, y) = x\nprint \"r\" map(f, [1])", "WrongArity", 2, 15, "map needs a function of one argument")]
    [InlineData("f(x) = f(x)\nprint \"r\" f(1)", "UnboundName", 1, 8, "unbound name 'f'")]
    public void Reduction_errors_carry_code_and_position(string text, string code, int line, int column, string message)
    {
        var problem = Errors(text).First();
        Assert.Equal(code, problem.Code);
        Assert.Equal((line, column), (problem.Line, problem.Column));
        Assert.Contains(message, problem.Message);
        Assert.StartsWith($"<program>:{line}:{column}: ", problem.Message);
    }

    [Fact]
    public void A_call_chain_through_user_functions_is_reported()
    {
        // Too-deep application chains are detected at call time and report the chain.
        var lines = new List<string> { "let f0(x) = x" };
        for (var i = 1; i <= 10_050; i++) lines.Add($"let f{i}(x) = f{i - 1}(x + 1)");
        lines.Add("print \"r\" f10050(0)");
        var problems = Errors(string.Join("\n", lines));
        Assert.Equal("TooDeep", problems[0].Code);
        Assert.Contains("in f", problems[0].Message);
        Assert.Contains("called at <program>:", problems[0].Message);
    }

    [Fact]
    public void An_error_in_a_function_is_reported_once_at_its_place()
    {
        var problems = Errors("f(x) = x + y\nprint \"a\" f(1)\nprint \"b\" f(2)\nprint \"c\" q");
        Assert.Equal([(1, 12), (4, 11)], problems.Select(p => (p.Line, p.Column)));
    }

    [Fact]
    public void All_reduction_errors_of_a_program_are_reported_together()
    {
        var problems = Errors("a = b\nc = d(1)\nprint \"x\" e");
        Assert.Equal(3, problems.Length);
    }

    [Fact]
    public void Run_time_loops_nested_too_deep_for_canonical_JSON_are_an_error_not_a_crash()
    {
        // Each loop's sequence depends on the enclosing loop's variable, so each template nests the next.
        var loops = string.Concat(Enumerable.Range(0, 120).Select(i => $"for a{i} in range(0, {(i == 0 ? "n" : $"n + a{i - 1}")}) do "));
        var problems = Errors($"n = length([1])\nprint \"r\" {loops}a119");
        Assert.Equal("TooDeep", problems[0].Code);
    }

    [Fact]
    public void Ten_nested_run_time_loops_work()
    {
        var loops = string.Concat(Enumerable.Range(0, 10).Select(i => $"fold + (for a{i} in range(0, n) do "));
        var dag = ProgramCompiler.Compile($"n = length([1, 2])\nprint \"r\" {loops}1{new string(')', 10)}", CompileTests.Registry).Dag;
        Assert.Equal(1024d, new DagInterpreter(CompileTests.Registry).Run(dag)[0].Value);
    }

    [Fact]
    public void Unpaired_surrogates_in_strings_are_rejected()
    {
        var problem = Errors("print \"r\" \"a\\ud800b\"").Single();
        Assert.Equal((1, 11), (problem.Line, problem.Column));
        Assert.Contains("unpaired surrogate", problem.Message);
    }

    [Fact]
    public void Import_cycles_are_reported()
    {
        using var dirFolder = new TempFolder("vox-cycle");
        var dir = dirFolder.Path;
        File.WriteAllText(Path.Combine(dir, "a.imgql"), "import \"b.imgql\"\nx = 1");
        File.WriteAllText(Path.Combine(dir, "b.imgql"), "import \"a.imgql\"\ny = 2");
        var e = Assert.Throws<ValidationException>(() => ProgramCompiler.CompileFile(Path.Combine(dir, "a.imgql"), CompileTests.Registry));
        Assert.Equal("CyclicImport", e.Problems[0].Code);
        Assert.Contains("a.imgql -> b.imgql -> a.imgql", e.Problems[0].Message);
        Assert.EndsWith("b.imgql", e.Problems[0].File);
    }

    [Fact]
    public void Syntax_errors_in_imported_files_name_that_file()
    {
        using var dirFolder = new TempFolder("vox-imp");
        var dir = dirFolder.Path;
        File.WriteAllText(Path.Combine(dir, "lib.imgql"), "x = (1");
        var e = Assert.Throws<ValidationException>(() => ProgramCompiler.CompileFile(Path.Combine(dir, "main.imgql").Replace("main", "m"), CompileTests.Registry));
        Assert.Equal("UnreadableProgram", e.Problems[0].Code);
        File.WriteAllText(Path.Combine(dir, "main.imgql"), "import \"lib.imgql\"\nprint \"r\" x");
        e = Assert.Throws<ValidationException>(() => ProgramCompiler.CompileFile(Path.Combine(dir, "main.imgql"), CompileTests.Registry));
        Assert.Equal(Path.Combine(dir, "lib.imgql"), e.Problems[0].File);
        Assert.Equal((1, 7), (e.Problems[0].Line, e.Problems[0].Column));
    }
}
