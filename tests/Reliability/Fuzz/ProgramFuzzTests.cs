using CsCheck;
using VoxScheduler.Language;
using VoxScheduler.Operations;
using VoxScheduler.Tests.Infrastructure;
using Xunit.Abstractions;

namespace VoxScheduler.Tests.Fuzz;

/// <summary>
/// The parser and reducer (ProgramCompiler.Compile) on random and mutated real programs: each
/// case either compiles or throws a ValidationException whose problems carry a position — no
/// other exception, no hang (per-case deadline), no crash.
/// </summary>
public sealed class ProgramFuzzTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan PerCase = TimeSpan.FromSeconds(10);
    private readonly TempFolder _work = new("vox-fuzz");
    private readonly OperationRegistry _registry = TestEngine.FullRegistry();

    public void Dispose() => _work.Dispose();

    [Fact]
    public void Mutated_real_programs_compile_or_fail_with_a_ValidationException()
    {
        var corpus = RepoPaths.RealPrograms().Select(File.ReadAllText).ToArray();
        Assert.True(corpus.Length >= 10, $"expected the repository's programs as a corpus, found {corpus.Length}");
        var cases = 1500L * ReliabilityCounters.Scale;
        var valid = 0;
        var gen =
            from a in Gen.Int[0, corpus.Length - 1]
            from b in Gen.Int[0, corpus.Length - 1]
            from rounds in Gen.Int[1, 4]
            from kinds in Gen.Int.Array[rounds]
            from positions in Gen.Int.Positive.Array[rounds]
            from tokens in Gen.Int.Positive.Array[rounds]
            from counts in Gen.Int.Positive.Array[rounds]
            select Enumerable.Range(0, rounds).Aggregate(corpus[a], (p, i) => ProgramMutator.Mutate(p, corpus[b], Math.Abs(kinds[i]), positions[i], tokens[i], counts[i]));
        gen.Sample(program =>
        {
            if (CompileOrValidationError(program)) Interlocked.Increment(ref valid);
        }, iter: cases, threads: 1, print: p => p.Length > 4000 ? p[..4000] + "…" : p);
        ReliabilityCounters.Add("fuzz.program", cases);
        output.WriteLine($"{cases} mutated programs, {valid} still valid");
    }

    [Fact]
    public void Random_token_soup_compiles_or_fails_with_a_ValidationException()
    {
        var cases = 1500L * ReliabilityCounters.Scale;
        Gen.Int.Positive.Array[0, 60].Select(ProgramMutator.Random).Sample(p => { CompileOrValidationError(p); }, iter: cases, threads: 1);
        ReliabilityCounters.Add("fuzz.program", cases);
    }

    [Fact]
    public void Random_characters_compile_or_fail_with_a_ValidationException()
    {
        var cases = 1500L * ReliabilityCounters.Scale;
        Gen.String[Gen.Char, 0, 200].Sample(p => { CompileOrValidationError(p); }, iter: cases, threads: 1);
        ReliabilityCounters.Add("fuzz.program", cases);
    }

    [Fact]
    public void Every_real_program_compiles_or_reports_positions()
    {
        foreach (var file in RepoPaths.RealPrograms())
        {
            var error = BoundedCall.Run(() => ProgramCompiler.CompileFile(file, _registry, Options(file)), PerCase, () => file);
            if (error is null) continue;
            var validation = Assert.IsType<ValidationException>(error);
            Assert.All(validation.Problems, p => Assert.True(p.Line > 0, $"{file}: problem without a line: {p.Message}"));
        }
    }

    private CompileOptions Options(string? file = null) => new() { WorkingDirectory = _work.Path, FilePath = file, OutputRoot = _work.Path };

    private bool CompileOrValidationError(string program)
    {
        CompiledProgram? compiled = null;
        var error = BoundedCall.Run(() => compiled = ProgramCompiler.Compile(program, _registry, Options()), PerCase,
            () => program.Length > 2000 ? program[..2000] : program);
        switch (error)
        {
            case null:
                Assert.NotNull(compiled);
                return true;
            case ValidationException validation:
                Assert.NotEmpty(validation.Problems);
                Assert.All(validation.Problems, p => Assert.False(string.IsNullOrWhiteSpace(p.Message)));
                return false;
            default:
                throw new Xunit.Sdk.XunitException($"Compile threw {error.GetType().FullName} (only ValidationException is documented): {error}");
        }
    }
}
