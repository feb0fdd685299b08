using VoxScheduler.Dag;
using VoxScheduler.Language;
using VoxScheduler.Operations;
using VoxScheduler.Operations.Builtins;
using VoxScheduler.Tests.Acceptance;

namespace VoxScheduler.Tests.Language;

/// <summary>
/// Every acceptance program compiled and evaluated by the sequential reference interpreter
/// (no scheduler): checks the compiler and the primitives against the expected output.
/// </summary>
public sealed class ReferenceAcceptanceTests
{
    public static TheoryData<string> Programs => AcceptancePrograms.Names();

    [Theory]
    [MemberData(nameof(Programs))]
    public async Task ProgramMatchesItsExpectedOutput(string name)
    {
        var expected = ExpectedOutcome.Load(Path.Combine(AcceptancePrograms.Folder, name + ".expected.json"));
        var work = Directory.CreateTempSubdirectory("vox-accept-").FullName;
        try
        {
            var registry = BuiltinOperations.CreateRegistry();
            CompiledProgram compiled;
            try
            {
                compiled = ProgramCompiler.CompileFile(Path.Combine(AcceptancePrograms.Folder, name + ".imgql"), registry,
                    new CompileOptions { WorkingDirectory = work });
            }
            catch (ValidationException e)
            {
                var problems = e.Problems.Select(p => new ExpectedOutcome.Problem(p.Line, p.Column, p.Message)).ToList();
                var mismatches = expected.CheckValidation(problems);
                Assert.True(mismatches.Count == 0, string.Join(Environment.NewLine, mismatches));
                return;
            }

            var results = new DagInterpreter(registry, new OperationEnvironment { WorkingDirectory = work }).Run(compiled.Dag);
            var goals = new List<ExpectedOutcome.Goal>();
            foreach (var (goal, value, error) in results)
            {
                if (goal.Kind == GoalKind.Save && error is null)
                {
                    await ValueFileWriter.WriteAsync(goal.Path!, value);
                }

                goals.Add(new ExpectedOutcome.Goal(goal.Name, error is null, value, error?.Message));
            }

            var runMismatches = expected.CheckRun(goals, work);
            Assert.True(runMismatches.Count == 0, string.Join(Environment.NewLine, runMismatches));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
