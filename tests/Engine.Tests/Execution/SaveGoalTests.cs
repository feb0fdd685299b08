using System.Text;
using VoxScheduler.Dag;
using VoxScheduler.Execution;
using VoxScheduler.Operations;
using VoxScheduler.Scheduling;
using VoxScheduler.Tests.Scheduling;

namespace VoxScheduler.Tests.Execution;

public sealed class SaveGoalTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "vox-save-" + Guid.NewGuid().ToString("N")[..8]);

    public SaveGoalTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("a.txt", 10.0, "10")]
    [InlineData("a.txt", 0.5, "0.5")]
    [InlineData("a.txt", 1e21, "1e+21")]
    [InlineData("a.txt", true, "true")]
    [InlineData("a.txt", "hello", "hello")]
    [InlineData("a.json", "hello", "\"hello\"")]
    [InlineData("a.json", 3.0, "3")]
    public void Scalars_are_written_as_text_or_json_by_extension(string file, object value, string expected) =>
        Assert.Equal(expected, Encoding.UTF8.GetString(SaveGoalWriter.Render(file, value)));

    [Fact]
    public void Sequences_and_records_are_json_and_bytes_are_raw()
    {
        object?[] list = [1.0, 2.0, "x", true, null];
        Assert.Equal("[1,2,\"x\",true,null]", Encoding.UTF8.GetString(SaveGoalWriter.Render("l.json", list)));
        var record = new Dictionary<string, object?> { ["b"] = 2.5, ["a"] = new object?[] { 1UL } };
        Assert.Equal("{\"a\":[1],\"b\":2.5}", Encoding.UTF8.GetString(SaveGoalWriter.Render("r.txt", record)));
        Assert.Equal([1, 2, 3], SaveGoalWriter.Render("b.bin", new byte[] { 1, 2, 3 }));
    }

    [Fact]
    public async Task Save_goals_write_their_files_creating_folders_and_report_the_full_path()
    {
        var ops = new TestOps();
        await using var scheduler = ops.Scheduler();
        var b = new DagBuilder();
        var sum = b.Operation("t.add", 1, [b.Constant(1.0), b.Constant(2.0), b.Constant(3.0), b.Constant(4.0)]);
        b.AddGoal(new DagGoal("out/sum.txt", GoalKind.Save, sum, "out/sum.txt"));
        b.AddGoal(new DagGoal("out/list.json", GoalKind.Save, b.Constant("x"), Path.Combine(_root, "out", "text.json")));
        var env = new OperationEnvironment { WorkingDirectory = _root };
        var execution = await TestOps.RunAsync(scheduler, b.Build(), options: new SubmitOptions { Environment = env });

        Assert.Equal(ExecutionStatus.Completed, execution.Status);
        Assert.Equal("10", await File.ReadAllTextAsync(Path.Combine(_root, "out", "sum.txt")));
        Assert.Equal("\"x\"", await File.ReadAllTextAsync(Path.Combine(_root, "out", "text.json")));
        Assert.Equal(Path.Combine(_root, "out", "sum.txt"), execution.GetGoalResults()[0].Path);
        Assert.Empty(Directory.GetFiles(Path.Combine(_root, "out"), "*.tmp"));
    }

    [Fact]
    public async Task A_save_outside_the_output_root_fails_that_goal_only()
    {
        var ops = new TestOps();
        await using var scheduler = ops.Scheduler();
        var b = new DagBuilder();
        var outside = Path.Combine(Path.GetTempPath(), "vox-outside-" + Guid.NewGuid().ToString("N")[..8] + ".txt");
        b.AddGoal(new DagGoal("escape", GoalKind.Save, b.Constant(1.0), outside));
        b.AddGoal(new DagGoal("ok", GoalKind.Print, b.Constant(2.0)));
        var env = new OperationEnvironment { WorkingDirectory = _root };
        var execution = await TestOps.RunAsync(scheduler, b.Build(), options: new SubmitOptions { Environment = env });

        Assert.Equal(ExecutionStatus.Failed, execution.Status);
        var goals = execution.GetGoalResults();
        Assert.Equal(NodeStatus.Failed, goals[0].Status);
        Assert.Contains("outside the output root", goals[0].Error);
        Assert.False(File.Exists(outside));
        Assert.Equal(NodeStatus.Completed, goals[1].Status);
    }

    [Fact]
    public void Writes_outside_the_root_are_allowed_when_the_caller_says_so()
    {
        var outside = Path.Combine(Path.GetTempPath(), "elsewhere.txt");
        var env = new OperationEnvironment { WorkingDirectory = _root, AllowWritesOutsideOutputRoot = true };
        Assert.Equal(Path.GetFullPath(outside), SaveGoalWriter.ResolveTarget(outside, env));
        Assert.Throws<NodeExecutionException>(() => SaveGoalWriter.ResolveTarget("../x.txt", env with { AllowWritesOutsideOutputRoot = false }));
        Assert.Equal(Path.Combine(_root, "sub", "x.txt"), SaveGoalWriter.ResolveTarget("sub/x.txt", env));
    }
}
