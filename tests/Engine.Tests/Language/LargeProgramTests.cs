using System.Text;
using VoxScheduler.Dag;
using VoxScheduler.Language;

namespace VoxScheduler.Tests.Language;

/// <summary>Programs long enough to be parsed on one thread while another reduces them.</summary>
public sealed class LargeProgramTests
{
    /// <summary>2,000 declarations with functions, shadowing and goals spread over many parser batches.</summary>
    private static string Chain(int n)
    {
        var sb = new StringBuilder();
        sb.AppendLine("let step(a, b) = (a + b) % 1000003");
        sb.AppendLine("let f0 = 1");
        sb.AppendLine("let f1 = 1");
        for (var i = 2; i <= n; i++)
        {
            sb.AppendLine(i % 3 == 0 ? $"let f{i} = step(f{i - 1}, f{i - 2})" : $"let f{i} = (f{i - 1} + f{i - 2}) % 1000003");
            if (i == n / 2)
            {
                sb.AppendLine("let step(a, b) = (a + 2 * b) % 1000003"); // later declarations see the new version
            }

            if (i % 500 == 0)
            {
                sb.AppendLine($"print \"f{i}\" f{i}");
            }
        }

        return sb.ToString();
    }

    private static string Padding => "// " + new string('x', ProgramCompiler.PipelineThreshold) + "\n";

    private static double Expected(int n, int upTo)
    {
        double a = 1, b = 1; // f0, f1
        for (var i = 2; i <= upTo; i++)
        {
            var usesStep = i % 3 == 0;
            var doubled = usesStep && i > n / 2;
            var next = (b + (doubled ? 2 * a : a)) % 1000003;
            a = b;
            b = next;
        }

        return b;
    }

    [Fact]
    public void A_large_program_reduces_to_the_same_DAG_as_when_parsed_first()
    {
        var program = Chain(1500);
        Assert.True(program.Length < ProgramCompiler.PipelineThreshold);
        var sequential = CompileTests.Compile(program);
        var pipelined = CompileTests.Compile(Padding + program); // a comment changes no node, only the path taken
        Assert.Equal(sequential.Nodes.Select(n => n.Id), pipelined.Nodes.Select(n => n.Id));
        Assert.Equal(sequential.Goals.Select(g => (g.Name, g.Node)), pipelined.Goals.Select(g => (g.Name, g.Node)));
        Assert.Equal(sequential.Labels.OrderBy(l => l.Key), pipelined.Labels.OrderBy(l => l.Key));
        Assert.Equal(sequential.DagId, pipelined.DagId);

        var results = new DagInterpreter(CompileTests.Registry).Run(pipelined);
        Assert.Equal(3, results.Count);
        foreach (var (goal, value, error) in results)
        {
            Assert.Null(error);
            Assert.Equal(Expected(1500, int.Parse(goal.Name[1..], System.Globalization.CultureInfo.InvariantCulture)), value);
        }
    }

    [Fact]
    public void Syntax_errors_of_a_large_program_are_reported_alone_with_their_positions()
    {
        var lines = Chain(3000).Split('\n').ToList();
        var broken = Replace(lines, "let f2500 ", "let f2500 = (1 + ");   // syntax error, found at the next command
        Replace(lines, "let f100 ", "let f100 = nowhere + 1");             // would be a reduction error
        var text = string.Join('\n', lines);
        Assert.True(text.Length >= ProgramCompiler.PipelineThreshold);
        var e = Assert.Throws<ValidationException>(() => CompileTests.Compile(text));
        var problem = Assert.Single(e.Problems);
        Assert.Equal("Syntax", problem.Code);
        Assert.Equal(broken + 1, problem.Line);
        Assert.StartsWith($"<program>:{broken + 1}:1: expected", problem.Message);
    }

    [Fact]
    public void Reduction_errors_of_a_large_program_are_all_reported()
    {
        var lines = Chain(3000).Split('\n').ToList();
        var unbound = Replace(lines, "let f100 ", "let f100 = nowhere + 1");
        var calling = Replace(lines, "let f2900 ", "let f2900 = f1(1)"); // f1 is a value; later ones are poisoned by the first error
        var text = string.Join('\n', lines);
        Assert.True(text.Length >= ProgramCompiler.PipelineThreshold);
        var e = Assert.Throws<ValidationException>(() => CompileTests.Compile(text));
        Assert.Contains(e.Problems, p => p.Code == "UnboundName" && p.Line == unbound && p.Message.Contains("'nowhere'", StringComparison.Ordinal));
        Assert.True(e.Problems.Any(p => p.Code == "CallingValue" && p.Line == calling), string.Join(" | ", e.Problems.Select(p => p.Code + ": " + p.Message)));
    }

    /// <summary>Replaces the line starting with <paramref name="prefix"/>; returns its 1-based number.</summary>
    private static int Replace(List<string> lines, string prefix, string text)
    {
        var index = lines.FindIndex(l => l.StartsWith(prefix, StringComparison.Ordinal));
        Assert.True(index >= 0, prefix);
        lines[index] = text;
        return index + 1;
    }
}
