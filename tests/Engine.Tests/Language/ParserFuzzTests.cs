using CsCheck;
using VoxScheduler.Language;
using VoxScheduler.Tests.Acceptance;

namespace VoxScheduler.Tests.Language;

/// <summary>
/// Random and mutated programs through the whole front end: the only allowed outcomes are a
/// DAG or a <see cref="ValidationException"/> whose problems all carry a position; never another
/// exception, a crash or a hang.
/// </summary>
public sealed class ParserFuzzTests
{
    private static readonly string[] Fragments =
    [
        "let", "print", "save", "import", "for", "in", "do", "filter", "fold", "true", "false",
        "x", "f", "g", "xs", "strings.concat", "nope.x", "$file", "$bad", "range", "map", "length", "load",
        "0", "1", "2.5", ".5", "1e3", "1e999", "\"s\"", "\"out/a.txt\"", "\"unterminated", "\"\\q\"", "\"strings\"",
        "(", ")", "[", "]", ",", ":", "=", "==", "+", "-", "*", "/", "%", "&&", "||", "!", "<", ">=", "+?", "~>",
        "//c\n", "\n", " ", "\t", "`", "\u00e9", "{", "}",
    ];

    private static void CompileOrReject(string program)
    {
        try
        {
            ProgramCompiler.Compile(program, CompileTests.Registry, new CompileOptions { WorkingDirectory = Path.GetTempPath() });
        }
        catch (ValidationException e)
        {
            Assert.NotEmpty(e.Problems);
            foreach (var p in e.Problems.Where(p => p.Code != "TooManyErrors"))
            {
                Assert.True(p.Line > 0 && p.Column > 0, $"problem without a position: {p.Message}");
                Assert.StartsWith("<program>:", p.Message);
            }
        }
    }

    [Fact]
    public void Random_token_soups_only_produce_diagnostics()
    {
        Gen.Int[0, Fragments.Length - 1].Array[0, 60]
            .Select(ix => string.Join(" ", ix.Select(i => Fragments[i])))
            .Sample(CompileOrReject, iter: 400, threads: 1);
    }

    [Fact]
    public void Mutated_acceptance_programs_only_produce_diagnostics()
    {
        var programs = Directory.EnumerateFiles(AcceptancePrograms.Folder, "*.imgql").Select(File.ReadAllText).ToArray();
        Gen.Select(Gen.Int[0, programs.Length - 1], Gen.Int[0, 2], Gen.Int[0, 10_000], Gen.Int[0, 8], Gen.Int[0, Fragments.Length - 1])
            .Select(t =>
            {
                var (p, op, at, len, f) = t;
                var text = programs[p];
                var pos = at % (text.Length + 1);
                return op switch
                {
                    0 => text.Remove(pos, Math.Min(len, text.Length - pos)),
                    1 => text.Insert(pos, " " + Fragments[f] + " "),
                    _ => text[..pos] + text[pos..].Replace("(", "[", StringComparison.Ordinal),
                };
            })
            .Sample(CompileOrReject, iter: 400, threads: 1);
    }

    [Fact]
    public void Random_characters_only_produce_diagnostics()
    {
        Gen.Char["()[]+-*/=<>!&|\"\\:,.$ \nabxyz019letinfor"].Array[0, 200]
            .Select(chars => new string(chars))
            .Sample(CompileOrReject, iter: 400, threads: 1);
    }
}
