using System.Diagnostics;
using VoxScheduler.Dag;
using VoxScheduler.Execution;
using VoxScheduler.Scheduling;
using VoxScheduler.Tests.Infrastructure;

namespace VoxScheduler.Tests.Faults;

/// <summary>
/// Operations that throw, hang (with or without honouring cancellation), allocate impossibly
/// much, or return values the codec cannot store: each such node fails with a useful message,
/// the process survives, and independent goals complete with their values.
/// </summary>
public sealed class MisbehavingOperationTests
{
    public static TheoryData<string> Backends => new() { "none", "sqlite", "filesystem", "hybrid" };

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Each_misbehaving_node_fails_with_a_useful_message_and_independent_goals_complete(string backend)
    {
        using var temp = new TempFolder("vox-faults");
        var registry = TestEngine.Registry();
        var b = new DagBuilder();
        int C(double v) => b.Constant(v);
        var good = b.Op(registry, "rel.add", C(20), C(22));
        b.AddGoal(new DagGoal("good-before", GoalKind.Node, good));
        var expectations = new List<(string Goal, string[] MessageParts)>();
        void Bad(string goal, int node, params string[] parts)
        {
            b.AddGoal(new DagGoal(goal, GoalKind.Node, node));
            // A consumer of the failed node is skipped, naming it.
            b.AddGoal(new DagGoal(goal + "-consumer", GoalKind.Node, b.Op(registry, "rel.add", node, C(1))));
            expectations.Add((goal, parts));
        }

        Bad("throws", b.Op(registry, "rel.throw", b.Constant("boom")), "boom");
        Bad("hangs", b.Op(registry, "rel.hang", C(0)), "time");
        // Ignores its token: it holds its worker until it returns, then fails as timed out (never Completed).
        Bad("hangs-uncooperative", b.Op(registry, "rel.hang_uncooperative", C(2000)), "time");
        Bad("alloc-overflow", b.Op(registry, "rel.alloc_overflow"), "overflow", "memory");
        Bad("wrong-object", b.Op(registry, "rel.wrong_type", C(0)), "Object");
        Bad("wrong-fileinfo", b.Op(registry, "rel.wrong_type", C(1)), "FileInfo");
        Bad("wrong-task", b.Op(registry, "rel.wrong_type", C(2)), "Task");
        Bad("wrong-cyclic", b.Op(registry, "rel.wrong_type", C(3)), "deep");
        Bad("wrong-delegate", b.Op(registry, "rel.wrong_type", C(4)), "Action");
        Bad("wrong-nested", b.Op(registry, "rel.wrong_type", C(5)), "FileInfo");
        var good2 = b.Op(registry, "rel.add", good, C(100));
        b.AddGoal(new DagGoal("good-after", GoalKind.Node, good2));
        var dag = b.Build();

        var config = new ExecutionConfig
        {
            StorageBackend = backend,
            StoragePath = temp.Sub("store"),
            NodeTimeout = TimeSpan.FromMilliseconds(500),
            MaxRetries = 0,
            MaxConcurrentNodes = 4,
        };
        await using var scheduler = new DynamicScheduler(registry);
        var clock = Stopwatch.StartNew();
        var execution = await scheduler.SubmitAsync(dag, config);
        var status = await execution.WaitBoundedAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(ExecutionStatus.Failed, status);
        Assert.Equal(42.0, execution.Goal("good-before").Value);
        Assert.Equal(142.0, execution.Goal("good-after").Value);
        foreach (var (goal, parts) in expectations)
        {
            var result = execution.Goal(goal);
            Assert.True(result.Status == NodeStatus.Failed, $"{goal} should have failed, it is {result.Status}");
            Assert.False(string.IsNullOrWhiteSpace(result.Error), $"{goal} failed without a message");
            Assert.True(parts.Any(p => result.Error!.Contains(p, StringComparison.OrdinalIgnoreCase)),
                $"{goal}'s message should mention {string.Join(" or ", parts)}: {result.Error}");
            var consumer = execution.Goal(goal + "-consumer");
            Assert.True(consumer.Status == NodeStatus.Skipped, $"{goal}-consumer should be skipped, it is {consumer.Status}: {consumer.Error}");
        }

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"the execution took {clock.Elapsed}");
        // The process (this test host) is still here, and the engine still works.
        var again = await scheduler.SubmitAsync(Single(registry, 5, 6), config with { StoragePath = temp.Sub("store2") });
        Assert.Equal(ExecutionStatus.Completed, await again.WaitBoundedAsync());
        Assert.Equal(11.0, again.Goal("x").Value);
    }

    [Fact]
    public async Task An_operation_exhausting_a_memory_limited_process_fails_alone_and_the_process_survives()
    {
        // A child with a 768 MiB GC heap limit (as in a container): the operation keeps 128 MiB
        // blocks until OutOfMemoryException; the scheduler must turn that into a failed node.
        using var temp = new TempFolder("vox-oom");
        var program = temp.Combine("hog.imgql");
        await File.WriteAllTextAsync(program, "print \"before\" 1 + 2\nprint \"hog\" rel.alloc_loop(128, 64)\nprint \"after\" 40 + 2\n");
        await using var host = HostProcess.StartVoxHost(new Dictionary<string, string> { ["DOTNET_GCHeapHardLimit"] = "0x30000000" },
            "run-program", "--file", program, "--backend", "sqlite", "--store", temp.Sub("store"));
        var code = await host.WaitForExitAsync(TimeSpan.FromMinutes(2));
        var run = HostRun.Parse(code, host.Output, host.Error);
        Assert.True(code == 3 && run.EndStatus == "Failed", $"expected a failed execution in a live process: {run}");
        Assert.Equal("Completed", run.Goals["before"].Status);
        Assert.Equal("Completed", run.Goals["after"].Status);
        Assert.Equal("Failed", run.Goals["hog"].Status);
        Assert.Contains("memory", run.Goals["hog"].Error, StringComparison.OrdinalIgnoreCase);
    }

    private static DagDefinition Single(Operations.OperationRegistry registry, double a, double b)
    {
        var builder = new DagBuilder();
        builder.AddGoal(new DagGoal("x", GoalKind.Node, builder.Op(registry, "rel.add", builder.Constant(a), builder.Constant(b))));
        return builder.Build();
    }
}
