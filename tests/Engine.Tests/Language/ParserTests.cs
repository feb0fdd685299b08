using VoxScheduler.Language;
using VoxScheduler.Language.Syntax;

namespace VoxScheduler.Tests.Language;

public sealed class ParserTests
{
    private static List<Command> Parse(string text)
    {
        var diagnostics = new Diagnostics();
        var commands = Parser.ParseProgram(text, "<program>", diagnostics);
        diagnostics.ThrowIfAny();
        return commands;
    }

    private static Expr ParseExpr(string text) => ((GoalCommand)Parse("print \"r\" " + text).Single()).Value;

    private static ValidationProblem[] Errors(string text)
    {
        var diagnostics = new Diagnostics();
        Parser.ParseProgram(text, "<program>", diagnostics);
        var e = Assert.Throws<ValidationException>(diagnostics.ThrowIfAny);
        return e.Problems.ToArray();
    }

    /// <summary>A fully parenthesised rendering of an expression, to assert structure.</summary>
    private static string Show(Expr e) => e switch
    {
        NumberExpr n => n.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
        StringExpr s => "\"" + s.Value + "\"",
        BoolExpr b => b.Value ? "true" : "false",
        NameExpr n => n.Name,
        BinaryExpr b => $"({Show(b.Left)} {b.Operator} {Show(b.Right)})",
        PrefixExpr p => $"({p.Operator}{Show(p.Operand)})",
        CallExpr c => $"{c.Callee}({string.Join(", ", c.Arguments.Select(Show))})",
        ArrayExpr a => $"[{string.Join(", ", a.Items.Select(Show))}]",
        IndexExpr i => $"{Show(i.Target)}[{Show(i.Index)}]",
        SliceExpr s => $"{Show(s.Target)}[{(s.Start is null ? "" : Show(s.Start))}:{(s.Stop is null ? "" : Show(s.Stop))}]",
        LetExpr l => $"(let {l.Name} = {Show(l.Value)} in {Show(l.Body)})",
        ForExpr f => $"({(f.IsFilter ? "filter" : "for")} {f.Variable} in {Show(f.Sequence)} do {Show(f.Body)})",
        FoldExpr f => $"(fold {f.Operator}{(f.Init is null ? "" : " " + Show(f.Init))} {Show(f.Sequence)})",
        _ => "?",
    };

    [Theory]
    [InlineData("1 + 2 * 3", "(1 + (2 * 3))")]
    [InlineData("2 - 3 - 4", "((2 - 3) - 4)")]
    [InlineData("10 / 4 / 5", "((10 / 4) / 5)")]
    [InlineData("2 < 3 && 4 > 5", "((2 < 3) && (4 > 5))")]
    [InlineData("a || b && c", "(a || (b && c))")]
    [InlineData("a != b == c", "((a != b) == c)")]
    [InlineData("1 ~> 2 + 3", "(1 ~> (2 + 3))")]
    [InlineData("1 +? 2 * 3", "(1 +? (2 * 3))")]
    [InlineData("-3", "(-3)")]
    [InlineData("5 - -3", "(5 - (-3))")]
    [InlineData("a-1", "(a - 1)")]
    [InlineData("x -1", "(x - 1)")]
    [InlineData("f(x+1)", "f((x + 1))")]
    [InlineData("!(1 == 2)", "(!(1 == 2))")]
    [InlineData("-x[0]", "(-x[0])")]
    [InlineData("+(1, 2)", "+(1, 2)")]
    [InlineData("f()", "f()")]
    [InlineData("strings.concat(\"a\", 1)", "strings.concat(\"a\", 1)")]
    [InlineData("[1, [2, 3]][1][0]", "[1, [2, 3]][1][0]")]
    [InlineData("xs[1:3]", "xs[1:3]")]
    [InlineData("xs[:2]", "xs[:2]")]
    [InlineData("xs[2:]", "xs[2:]")]
    [InlineData("xs[:]", "xs[:]")]
    [InlineData("xs[a:-1]", "xs[a:(-1)]")]
    [InlineData("xs[1:2][0]", "xs[1:2][0]")]
    [InlineData("[]", "[]")]
    [InlineData("let a = 2 in let b = a * 3 in a + b", "(let a = 2 in (let b = (a * 3) in (a + b)))")]
    [InlineData("1 + let a = 2 in a", "(1 + (let a = 2 in a))")]
    [InlineData("for i in xs do i + 1", "(for i in xs do (i + 1))")]
    [InlineData("filter x in range(0, 10) do x > 5", "(filter x in range(0, 10) do (x > 5))")]
    [InlineData("fold + 0 range(0, 5)", "(fold + 0 range(0, 5))")]
    [InlineData("fold + range(0, 5)", "(fold + range(0, 5))")]
    [InlineData("fold max [3, 1, 2]", "(fold max [3, 1, 2])")]
    [InlineData("fold - 100 xs", "(fold - 100 xs)")]
    [InlineData("fold + 0 [1, 2]", "(fold + 0 [1, 2])")]
    [InlineData("1.5 + .5 + 1. + 1e10 + 2.5E-3", "((((1.5 + 0.5) + 1) + 10000000000) + 0.0025)")]
    [InlineData("$file", "$file")]
    [InlineData("true && false", "(true && false)")]
    [InlineData("a // comment\n", "a")]
    // Capitals immediately followed by symbols are one operator token (docs/language.md §1).
    [InlineData("B+ a", "(B+a)")]
    [InlineData("A+B", "(A+B)")]
    [InlineData("A + B", "(A + B)")]
    [InlineData("N(a) + I2(b)", "(N(a) + I2(b))")]
    [InlineData("a ~> B+ b", "(a ~> (B+b))")]
    [InlineData("~(a, b, 1, 2)", "~(a, b, 1, 2)")]
    public void Expressions_parse_with_the_specified_structure(string text, string expected) => Assert.Equal(expected, Show(ParseExpr(text)));

    [Fact]
    public void String_escapes_are_decoded() =>
        Assert.Equal("tab\there \"quoted\" \\ \n \r \u00e9", ((StringExpr)ParseExpr("\"tab\\there \\\"quoted\\\" \\\\ \\n \\r \\u00e9\"")).Value);

    [Fact]
    public void Operators_of_any_arity_can_be_declared()
    {
        var commands = Parse("let ~(a, b, r, n) = a\nlet B+(a) = a\nX=1");
        Assert.Equal(["~", "B+", "X"], commands.Cast<Declaration>().Select(d => d.Name));
        Assert.Equal(4, ((Declaration)commands[0]).Parameters!.Count);
    }

    [Fact]
    public void Commands_are_separated_without_terminators()
    {
        var commands = Parse("let x = 1\ny = x f(a, b) = a + b\nlet g() = 2\nlet +?(a, b) = a * b + 1\nprint \"p\" x save \"s.txt\" y\nimport \"strings\"\nz = fold + xs\nw = 1");
        Assert.Collection(commands,
            c => Assert.Equal("x", ((Declaration)c).Name),
            c => Assert.Equal("y", ((Declaration)c).Name),
            c => Assert.Equal(["a", "b"], ((Declaration)c).Parameters!),
            c => Assert.Empty(((Declaration)c).Parameters!),
            c => Assert.True(((Declaration)c).IsOperator),
            c => Assert.False(((GoalCommand)c).IsSave),
            c => Assert.True(((GoalCommand)c).IsSave),
            c => Assert.Equal("strings", ((ImportCommand)c).Name),
            c => Assert.Equal("(fold + xs)", Show(((Declaration)c).Body)),
            c => Assert.Equal("w", ((Declaration)c).Name));
    }

    [Fact]
    public void Positions_are_line_and_column_of_the_tokens()
    {
        var commands = Parse("// header\n  answer = 1 +\n    2\nprint \"a\" answer");
        var d = (Declaration)commands[0];
        Assert.Equal(new SourcePosition(2, 3), d.NamePosition);
        Assert.Equal(new SourcePosition(2, 14), d.Body.Position);
        Assert.Equal(new SourcePosition(4, 1), commands[1].Position);
    }

    [Theory]
    [InlineData("a = 1 +\nprint \"a\" a", 2, 1, "expected an expression, found keyword 'print'")]
    [InlineData("b = (2 * 3", 1, 11, "expected ')', found end of file")]
    [InlineData("print a", 1, 7, "expected a label string after print, found name 'a'")]
    [InlineData("print \"\" 1", 1, 7, "expected a non-empty label")]
    [InlineData("x = 1 2", 1, 7, "expected an operator or the start of a new command")]
    [InlineData("let = 3", 1, 5, "expected a name or an operator to declare")]
    [InlineData("f(x, x) = 1", 1, 6, "expected distinct parameter names")]
    [InlineData("x = \"abc", 1, 9, "expected '\"' to close the string")]
    [InlineData("x = \"a\\qb\"", 1, 7, "expected an escape")]
    [InlineData("x = 1 ` 2", 1, 7, "unexpected character '`'")]
    [InlineData("x = [1, 2", 1, 10, "expected ',' or ']' in the array")]
    [InlineData("x = xs[]", 1, 8, "expected an index or a slice")]
    [InlineData("x = let a = 1 a", 1, 15, "expected 'in'")]
    [InlineData("x = for i xs do i", 1, 11, "expected 'in' after the loop variable")]
    [InlineData("x = fold xs", 1, 10, "expected a fold operator")]
    [InlineData("x = 1e999", 1, 5, "expected a finite number")]
    [InlineData("import strings", 1, 8, "expected a namespace or file name string")]
    [InlineData("3 = x", 1, 1, "expected a command")]
    [InlineData("x = ()", 1, 6, "expected an expression inside '( )'")]
    [InlineData("strings.x = 1", 1, 1, "expected an unqualified name to declare")]
    public void Syntax_errors_report_file_line_column_expected_and_found(string text, int line, int column, string message)
    {
        var problem = Errors(text).First();
        Assert.Equal((line, column), (problem.Line, problem.Column));
        Assert.Contains(message, problem.Message);
        Assert.StartsWith($"<program>:{line}:{column}: expected", problem.Message);
        Assert.Equal("Syntax", problem.Code);
        Assert.Equal("<program>", problem.File);
    }

    [Fact]
    public void Every_error_of_a_file_is_reported()
    {
        var problems = Errors("a = 1 +\nprint \"a\" a\nb = (2 * 3\nc = 4\nd = ]\ne = 5");
        Assert.Equal([(2, 1), (4, 1), (5, 5)], problems.Select(p => (p.Line, p.Column)));
    }

    [Fact]
    public void Twenty_thousand_nested_parentheses_parse()
    {
        const int depth = 20_000;
        var text = "print \"r\" " + new string('(', depth) + "1" + new string(')', depth);
        Assert.Equal(1d, CompileTests.Run(text));
        var sum = "print \"r\" " + string.Concat(Enumerable.Repeat("1 + (", depth)) + "1" + new string(')', depth);
        Assert.Equal(depth + 1d, CompileTests.Run(sum));
    }

    [Fact]
    public void Nesting_beyond_the_limit_is_a_clear_error_not_a_crash()
    {
        var depth = Parser.MaxNesting + 10;
        var text = "print \"r\" " + new string('(', depth) + "1" + new string(')', depth);
        var compiled = Assert.Throws<ValidationException>(() => ProgramCompilerDeep(text));
        Assert.Contains("nested", compiled.Problems[0].Message);
    }

    private static object ProgramCompilerDeep(string text) => ProgramCompiler.Compile(text, CompileTests.Registry);

    [Fact]
    public void A_fifty_thousand_term_sum_parses_and_reduces_iteratively()
    {
        var text = "print \"r\" " + string.Join(" + ", Enumerable.Repeat("1", 50_000));
        Assert.Equal(50_000d, CompileTests.Run(text));
    }

    [Fact]
    public void Ten_thousand_nested_lets_and_loops_compile()
    {
        const int depth = 10_000;
        var lets = string.Concat(Enumerable.Range(0, depth).Select(i => $"let v{i} = {i} in "));
        Assert.Equal((double)(depth - 1), CompileTests.Run($"print \"r\" {lets}v{depth - 1}"));
        var loops = string.Concat(Enumerable.Range(0, 2_000).Select(i => $"fold + (for a{i} in [1] do "));
        Assert.Equal(1d, CompileTests.Run($"print \"r\" {loops}1{new string(')', 2_000)}"));
    }

    [Fact]
    public void Deep_prefix_chains_are_bounded()
    {
        var text = "print \"r\" " + string.Concat(Enumerable.Repeat("- ", Parser.MaxNesting + 1)) + "1";
        var e = Assert.Throws<ValidationException>(() => ProgramCompiler.Compile(text, CompileTests.Registry));
        Assert.Contains("nested", e.Problems[0].Message);
    }
}
