using System.Text.RegularExpressions;
using VoxScheduler.Language;
using VoxScheduler.Operations;

namespace VoxScheduler.Tests.Language;

/// <summary>
/// docs/language.md is the users' reference: it names every primitive a program can call, and its
/// opening example computes what its comments say.
/// </summary>
public sealed partial class LanguageReferenceTests
{
    private static string Reference => File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "language.md"));

    public static TheoryData<string> DocumentedNamespaces() => new() { "default", "strings", "vox1", "test" };

    [Theory]
    [MemberData(nameof(DocumentedNamespaces))]
    public void Every_public_primitive_of_the_namespace_is_in_its_section(string ns)
    {
        var section = SectionOf(Reference, ns);
        var missing = CompileTests.Registry.InNamespace(ns)
            .Where(o => !o.Description.StartsWith("Internal", StringComparison.Ordinal))
            .Where(o => !Regex.IsMatch(section, $"`{Regex.Escape(o.ShortName)}`"))
            .Select(o => o.Name)
            .ToList();
        Assert.True(missing.Count == 0, $"docs/language.md does not document: {string.Join(", ", missing)}");
    }

    [Fact]
    public void Documented_primitives_exist()
    {
        foreach (var ns in new[] { "strings", "vox1", "test" })
        {
            var documented = FirstColumnNames().Matches(SectionOf(Reference, ns)).Select(m => m.Groups[1].Value);
            foreach (var name in documented)
            {
                Assert.True(CompileTests.Registry.TryGet($"{ns}.{name}", out _), $"docs/language.md documents {ns}.{name}, which does not exist");
            }
        }
    }

    [Fact]
    public void Opening_example_computes_the_commented_value()
    {
        var program = Regex.Match(Reference, "```\\n(// A comment.*?)```", RegexOptions.Singleline).Groups[1].Value;
        Assert.NotEmpty(program);
        var work = Directory.CreateTempSubdirectory("vox-langref-").FullName;
        try
        {
            var dag = ProgramCompiler.Compile(program, CompileTests.Registry, new CompileOptions { WorkingDirectory = work }).Dag;
            var results = new DagInterpreter(CompileTests.Registry, new OperationEnvironment { WorkingDirectory = work }).Run(dag);
            Assert.All(results, r => Assert.Null(r.Error));
            Assert.Equal(385d, results.Single(r => r.Goal.Name == "sum of squares").Value);
            Assert.Equal("10 squares, mean 38.5", results.Single(r => r.Goal.Name == "label").Value);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>The text of the "### `ns`" subsection, up to the next heading of its level or above.</summary>
    private static string SectionOf(string markdown, string ns)
    {
        var start = markdown.IndexOf($"### `{ns}`", StringComparison.Ordinal);
        Assert.True(start >= 0, $"docs/language.md has no section for the {ns} namespace");
        var end = Regex.Match(markdown[(start + 4)..], "^#{1,3} ", RegexOptions.Multiline);
        return end.Success ? markdown.Substring(start, end.Index + 4) : markdown[start..];
    }

    [GeneratedRegex("^\\| `([a-z_]+)` \\|", RegexOptions.Multiline)]
    private static partial Regex FirstColumnNames();
}
