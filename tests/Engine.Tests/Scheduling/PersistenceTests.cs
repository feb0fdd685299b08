using VoxScheduler.Dag;
using VoxScheduler.Execution;
using VoxScheduler.Operations;
using VoxScheduler.Scheduling;
using VoxScheduler.Storage;
using VoxScheduler.Values;

namespace VoxScheduler.Tests.Scheduling;

/// <summary>Executions on a real sqlite store in a temporary folder.</summary>
public sealed class PersistenceTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "vox-persist-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private ExecutionConfig Sqlite(int concurrency = 4) => new() { StorageBackend = "sqlite", StoragePath = _folder, MaxConcurrentNodes = concurrency };

    private static DagDefinition Diamond(out NodeId[] ids)
    {
        var b = new DagBuilder();
        var x = b.Operation("t.add", 1, [b.Constant(1.0), b.Constant(2.0)]);
        var y = b.Operation("t.add", 1, [x, b.Constant(10.0)]);
        var z = b.Operation("t.add", 1, [x, b.Constant(20.0)]);
        var w = b.Operation("t.add", 1, [y, z]);
        b.AddGoal(new DagGoal("w", GoalKind.Print, w));
        ids = [b[x].Id, b[y].Id, b[z].Id, b[w].Id];
        return b.Build();
    }

    [Fact]
    public async Task A_second_execution_serves_stored_goals_as_cached_without_running_anything()
    {
        var ops = new TestOps();
        await using var scheduler = ops.Scheduler();
        var dag = Diamond(out _);
        var first = await TestOps.RunAsync(scheduler, dag, Sqlite());
        Assert.Equal(ExecutionStatus.Completed, first.Status);
        Assert.Equal(4, ops.TotalRuns);

        var second = await TestOps.RunAsync(scheduler, dag, Sqlite());
        Assert.Equal(ExecutionStatus.Completed, second.Status);
        Assert.Equal(4, ops.TotalRuns);
        var goal = second.GetGoalResults()[0];
        Assert.Equal(NodeStatus.Cached, goal.Status);
        Assert.Equal(36.0, goal.Value);
        // Only the goal was needed: its stored arguments were not even part of the plan.
        Assert.Equal(1, second.GetProgress().TotalNodes);
        Assert.Equal(1, second.GetProgress().CachedNodes);
    }

    [Fact]
    public async Task Constant_goals_are_stored_so_past_executions_can_be_read_back()
    {
        var ops = new TestOps();
        var b = new DagBuilder();
        var constant = b.Constant("a literal goal");
        b.AddGoal(new DagGoal("text", GoalKind.Print, constant));
        var id = b[constant].Id;
        await using (var scheduler = ops.Scheduler())
        {
            var run = await TestOps.RunAsync(scheduler, b.Build(), Sqlite());
            Assert.Equal(ExecutionStatus.Completed, run.Status);
            Assert.Equal("a literal goal", run.GetGoalResults()[0].Value);
        }

        // A fresh store handle, as a later process reading the history would open.
        await using var store = await StoreFactory.OpenAsync("sqlite", _folder);
        var bytes = await store.RetrieveAsync(id);
        Assert.NotNull(bytes);
        Assert.Equal("a literal goal", VoxScheduler.Values.ValueCodec.Decode(bytes));
        Assert.Equal(DagBuilder.ConstantOperator, (await store.GetMetadataAsync(id))!.Operator);
    }

    [Fact]
    public async Task Results_survive_a_scheduler_restart_and_overlapping_dags_compute_only_what_is_new()
    {
        var ops = new TestOps();
        await using (var scheduler = ops.Scheduler())
        {
            Assert.Equal(ExecutionStatus.Completed, (await TestOps.RunAsync(scheduler, Diamond(out _), Sqlite())).Status);
        }

        Assert.Equal(4, ops.TotalRuns);
        await using var restarted = ops.Scheduler();
        var b = new DagBuilder();
        var x = b.Operation("t.add", 1, [b.Constant(1.0), b.Constant(2.0)]);
        var y = b.Operation("t.add", 1, [x, b.Constant(10.0)]);
        var fresh = b.Operation("t.add", 1, [y, b.Constant(100.0)]);
        b.AddGoal(new DagGoal("fresh", GoalKind.Print, fresh));
        var execution = await TestOps.RunAsync(restarted, b.Build(), Sqlite());

        Assert.Equal(113.0, execution.GetGoalResults()[0].Value);
        Assert.Equal(5, ops.TotalRuns);
        Assert.Equal(1, ops.RunsOf(b[fresh].Id));
        Assert.Equal(1, execution.GetProgress().CachedNodes);
    }

    [Fact]
    public async Task A_cancelled_run_resumes_computing_only_the_missing_nodes()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var blocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var runs = new System.Collections.Concurrent.ConcurrentDictionary<double, int>();
        var registry = new OperationRegistry();
        registry.Register(Operation.CreateAsync("r.step", 1, 1, async c =>
        {
            var x = c.Number(0);
            runs.AddOrUpdate(x, 1, static (_, n) => n + 1);
            if (x >= 5 && !release.Task.IsCompleted)
            {
                blocked.TrySetResult();
                await release.Task.WaitAsync(c.CancellationToken);
            }

            return x + 1;
        }));
        var b = new DagBuilder();
        var node = b.Constant(0.0);
        for (var i = 0; i < 10; i++) node = b.Operation("r.step", 1, [node]);
        b.AddGoal(new DagGoal("end", GoalKind.Print, node));
        var dag = b.Build();

        await using (var scheduler = new DynamicScheduler(registry))
        {
            var execution = await scheduler.SubmitAsync(dag, Sqlite(1));
            await blocked.Task.WaitAsync(TimeSpan.FromSeconds(30));
            execution.Cancel();
            Assert.Equal(ExecutionStatus.Cancelled, await execution.Completion.WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.Equal(5, execution.GetProgress().ComputedNodes - 1); // five steps plus the constant
        }

        release.SetResult();
        await using var again = new DynamicScheduler(registry);
        var resumed = await TestOps.RunAsync(again, dag, Sqlite(1));
        Assert.Equal(ExecutionStatus.Completed, resumed.Status);
        Assert.Equal(10.0, resumed.GetGoalResults()[0].Value);
        Assert.All(Enumerable.Range(0, 5), x => Assert.Equal(1, runs[x]));
        Assert.Equal(2, runs[5]); // the step that was cancelled runs again; nothing partial was kept
        Assert.All(Enumerable.Range(6, 4), x => Assert.Equal(1, runs[x]));
        Assert.Equal(1, resumed.GetProgress().CachedNodes);
    }

    [Fact]
    public async Task Non_deterministic_nodes_and_their_dependents_are_recomputed_every_time()
    {
        var ops = new TestOps();
        await using var scheduler = ops.Scheduler();
        var b = new DagBuilder();
        var random = b.Operation("t.random", 1, []);
        var downstream = b.Operation("t.add", 1, [random, b.Constant(1.0)]);
        var stable = b.Operation("t.add", 1, [b.Constant(5.0)]);
        b.AddGoal(new DagGoal("d", GoalKind.Print, downstream));
        b.AddGoal(new DagGoal("s", GoalKind.Print, stable));
        var dag = b.Build();
        await TestOps.RunAsync(scheduler, dag, Sqlite());
        var second = await TestOps.RunAsync(scheduler, dag, Sqlite());

        Assert.Equal(2, ops.RunsOf(b[random].Id));
        Assert.Equal(2, ops.RunsOf(b[downstream].Id));
        Assert.Equal(1, ops.RunsOf(b[stable].Id));
        Assert.Equal(NodeStatus.Completed, second.GetGoalResults()[0].Status);
        Assert.Equal(NodeStatus.Cached, second.GetGoalResults()[1].Status);
        var store = second.Store!;
        Assert.False(await store.ExistsAsync(b[random].Id));
    }

    [Fact]
    public async Task Stored_arguments_are_loaded_only_when_a_dependent_runs()
    {
        var ops = new TestOps();
        await using var scheduler = ops.Scheduler();
        var dag = Diamond(out var ids);
        await TestOps.RunAsync(scheduler, dag, Sqlite());
        var b = new DagBuilder();
        var x = b.Operation("t.add", 1, [b.Constant(1.0), b.Constant(2.0)]);
        var y = b.Operation("t.add", 1, [x, b.Constant(10.0)]);
        var z = b.Operation("t.add", 1, [x, b.Constant(20.0)]);
        var v = b.Operation("t.add", 1, [y, z, b.Constant(0.5)]);
        b.AddGoal(new DagGoal("v", GoalKind.Print, v));
        var execution = await TestOps.RunAsync(scheduler, b.Build(), Sqlite());

        Assert.Equal(36.5, execution.GetGoalResults()[0].Value);
        Assert.Equal(1, ops.RunsOf(ids[0]));
        Assert.Equal(1, ops.RunsOf(b[v].Id));
        Assert.Equal(2, execution.GetProgress().CachedNodes); // y and z; x was not needed at all
    }

    [Fact]
    public async Task Executions_retries_and_failures_are_recorded_in_the_store_history()
    {
        var ops = new TestOps();
        await using var scheduler = ops.Scheduler();
        var b = new DagBuilder();
        var fail = b.Operation("test.fail", 1, [b.Constant("broken")]);
        b.AddGoal(new DagGoal("f", GoalKind.Print, fail));
        b.AddGoal(new DagGoal("ok", GoalKind.Print, b.Operation("t.add", 1, [b.Constant(1.0)])));
        var execution = await TestOps.RunAsync(scheduler, b.Build(), Sqlite(), new SubmitOptions { Name = "history", Source = "test" });
        var store = execution.Store!;

        var record = await store.GetExecutionAsync(execution.ExecutionId);
        Assert.NotNull(record);
        Assert.Equal("Failed", record.Status);
        Assert.Equal("history", record.Name);
        Assert.NotNull(record.CompletedAt);
        var names = new List<ExecutionNodeName>();
        await foreach (var n in store.ListExecutionNodesAsync(execution.ExecutionId)) names.Add(n);
        Assert.Equal(["f", "ok"], names.Where(n => n.IsGoal).Select(n => n.Name));
        var history = new List<NodeHistoryEntry>();
        await foreach (var h in store.ListNodeHistoryAsync(execution.ExecutionId)) history.Add(h);
        Assert.Contains(history, h => h.NodeId == b[fail].Id && h.Status == "Failed" && h.Error == "broken");
    }

    [Fact]
    public async Task A_streamed_blob_is_written_through_to_the_store_and_read_back_by_its_dependents()
    {
        var ops = new TestOps();
        ops.Registry.Register(Operation.Create("t.length", 1, 1, c => (double)c.Bytes(0).Length));
        await using var scheduler = ops.Scheduler();
        var b = new DagBuilder();
        var blob = b.Operation("test.blob", 1, [b.Constant(7.0), b.Constant(2.0)]);
        b.AddGoal(new DagGoal("length", GoalKind.Print, b.Operation("t.length", 1, [blob])));
        var execution = await TestOps.RunAsync(scheduler, b.Build(), Sqlite());

        Assert.Equal(ExecutionStatus.Completed, execution.Status);
        Assert.Equal(2.0 * 1024 * 1024, execution.GetGoalResults()[0].Value);
        var metadata = await execution.Store!.GetMetadataAsync(b[blob].Id);
        Assert.NotNull(metadata);
        Assert.Equal(2L * 1024 * 1024 + 1, metadata.Size);
    }

    [Fact]
    public async Task The_same_store_path_is_opened_once_and_shared()
    {
        var ops = new TestOps();
        await using var scheduler = ops.Scheduler();
        var one = await scheduler.GetStoreAsync("sqlite", _folder);
        var two = await scheduler.GetStoreAsync("SQLITE", Path.Combine(_folder, ".", ""));
        Assert.Same(one, two);
        var execution = await TestOps.RunAsync(scheduler, Diamond(out _), Sqlite());
        Assert.Same(one, execution.Store);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("hybrid")]
    public async Task Persisted_results_are_stored_exactly_as_a_direct_store_write_stores_them(string backend)
    {
        // Numbers (batched in groups of rows and single rows), short and compressible strings, a
        // value above the streaming threshold (a file in the hybrid store) and one above the
        // inline threshold (chunks in sqlite): each path of the persister and the store.
        const long streaming = 4096;
        var ops = new TestOps();
        ops.Registry.Register(Operation.Create("t.text", 1, 1, c => new string('v', (int)c.Number(0))));
        ops.Registry.Register(Operation.Create("t.bytes", 1, 1, c =>
        {
            var bytes = new byte[(int)c.Number(0)];
            for (var i = 0; i < bytes.Length; i++) bytes[i] = (byte)(i % 7);
            return bytes;
        }));
        await using var scheduler = ops.Scheduler();
        var b = new DagBuilder();
        var nodes = new List<int>();
        var x = b.Operation("t.add", 1, [b.Constant(1.0)]);
        nodes.Add(x);
        for (var i = 0; i < 70; i++) nodes.Add(x = b.Operation("t.add", 1, [x, b.Constant(1.0)]));
        foreach (var n in new[] { 10.0, 500.0, 5000.0 }) nodes.Add(b.Operation("t.text", 1, [b.Constant(n)]));
        foreach (var n in new[] { 100.0, 200_000.0 }) nodes.Add(b.Operation("t.bytes", 1, [b.Constant(n)]));
        foreach (var n in nodes.Skip(70)) b.AddGoal(new DagGoal($"g{n}", GoalKind.Print, n));
        var dag = b.Build();
        var execution = await TestOps.RunAsync(scheduler, dag, Sqlite() with { StorageBackend = backend, StreamingThreshold = streaming });
        Assert.Equal(ExecutionStatus.Completed, execution.Status);

        var options = new StoreOptions { Compression = true, StreamingThreshold = streaming };
        var referenceFolder = Directory.CreateDirectory(Path.Combine(_folder, "reference")).FullName;
        IResultStore reference = backend == "hybrid"
            ? await HybridResultStore.OpenAsync(referenceFolder, options)
            : await SqliteResultStore.OpenAsync(referenceFolder, options);
        await using (reference)
        {
            var store = execution.Store!;
            for (var k = 0; k < nodes.Count; k++)
            {
                var id = dag.Nodes[nodes[k]].Id;
                var bytes = await store.RetrieveAsync(id);
                Assert.NotNull(bytes);
                var value = ValueCodec.Decode(bytes);
                if (k <= 70) Assert.Equal(k + 1.0, value);
                var op = dag.Nodes[nodes[k]].Operator;
                Assert.True(await reference.StoreAsync(id, bytes, StorageMetadata.ForResult(id, ValueCodec.Classify(value, streaming), bytes.Length, op,
                    dag.DagId, execution.ExecutionId, DateTimeOffset.UtcNow)));
                var stored = await store.GetMetadataAsync(id);
                var expected = await reference.GetMetadataAsync(id);
                Assert.NotNull(stored);
                Assert.NotNull(expected);
                Assert.Equal(
                    (expected.DataType, expected.Size, expected.StoredSize, expected.ContentHash, expected.Checksum, expected.Compression, expected.DagId, expected.ExecutionId, expected.Operator),
                    (stored.DataType, stored.Size, stored.StoredSize, stored.ContentHash, stored.Checksum, stored.Compression, stored.DagId, stored.ExecutionId, stored.Operator));
                Assert.Null(stored.Metadata);
            }
        }
    }
}
