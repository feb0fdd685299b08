using System.Diagnostics;
using System.Globalization;
using VoxScheduler.Cluster.Client;
using VoxScheduler.Cluster.Postgres;
using VoxScheduler.Dag;
using VoxScheduler.Execution;
using VoxScheduler.Operations.Builtins;
using VoxScheduler.Scheduling;
using VoxScheduler.Storage;
using Xunit.Abstractions;

namespace VoxScheduler.Tests.ClusterProcess;

/// <summary>
/// The silo coordinating an execution goes away mid-run (issue 16). Stopped gracefully (SIGTERM),
/// it ends its executions Interrupted with the reason, in the store's history and for the client
/// following them; killed (SIGKILL, no chance to say anything), the client still reaches a clear
/// end, Interrupted with why, within its own bound, never a hang, and the surviving silo records the
/// run Interrupted in the shared history, naming the lost silo, while its own run is left alone.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class CoordinatorStopTests(ITestOutputHelper output)
{
    private const int Slow = 4;

    [Fact]
    public async Task A_coordinator_stopped_with_SIGTERM_ends_its_run_interrupted_in_history_and_for_the_client()
    {
        await using var cluster = await ClusterProcesses.StartAsync(silos: 2, slots: 2);
        await using var client = await cluster.ConnectAsync();
        var (remote, coordinator, ns) = await StartAsync(cluster, client, lostAfter: TimeSpan.FromSeconds(60));
        await using var _ = remote;

        var clock = Stopwatch.StartNew();
        using (var term = Process.Start("kill", ["-TERM", coordinator.Process.Id.ToString(CultureInfo.InvariantCulture)])) await term.WaitForExitAsync();
        // Well inside LostAfter (60 s): the end comes from the coordinator, not from the client giving up.
        var status = await remote.Completion.WaitAsync(TimeSpan.FromSeconds(40));
        output.WriteLine($"SIGTERM -> the client saw {status} after {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal(ExecutionStatus.Interrupted, status);
        Assert.Equal(0, await coordinator.Process.WaitForExitAsync(TimeSpan.FromSeconds(60)));

        var goals = remote.GetGoalResults();
        Assert.Equal(NodeStatus.Completed, goals[0].Status);
        foreach (var goal in goals.Skip(1))
        {
            Assert.Equal(NodeStatus.Interrupted, goal.Status);
            Assert.Contains("was stopped (host shutdown)", goal.Error, StringComparison.Ordinal);
        }

        var record = await HistoryAsync(cluster, ns, remote.ExecutionId);
        output.WriteLine($"history: {record.Status}, {record.CompletedNodes} completed; {record.Error}");
        Assert.Equal("Interrupted", record.Status);
        Assert.Contains("was stopped (host shutdown)", record.Error, StringComparison.Ordinal);
        Assert.NotNull(record.CompletedAt);
        Assert.True(record.CompletedNodes >= 1, $"{record.CompletedNodes} completed nodes recorded");
    }

    [Fact]
    public async Task A_coordinator_killed_with_SIGKILL_ends_its_run_interrupted_for_the_client_and_in_the_history_of_every_machine()
    {
        await using var cluster = await ClusterProcesses.StartAsync(silos: 2, slots: 2);
        await using var client = await cluster.ConnectAsync();
        var lostAfter = TimeSpan.FromSeconds(20);
        var (remote, coordinator, ns) = await StartAsync(cluster, client, lostAfter);
        await using var _ = remote;

        // A run coordinated by the silo that survives (submitted through its gateway only): its record must stay untouched.
        var survivor = cluster.Silos.Single(s => !ReferenceEquals(s, coordinator));
        await using var pinned = await VoxClusterClient.ConnectAsync(new ClusterConnectionOptions { ClusterId = cluster.ClusterId, GatewayPorts = [survivor.GatewayPort] });
        var (other, otherCoordinator, otherNs) = await StartAsync(cluster, pinned, TimeSpan.FromSeconds(120));
        await using var __ = other;
        Assert.Same(survivor, otherCoordinator);

        var killed = await RowAsync(cluster, ns, remote.ExecutionId);
        Assert.Equal(("Running", remote.Coordinator), (killed.Status, killed.Coordinator));
        Assert.StartsWith(coordinator.Address + "@", killed.Coordinator, StringComparison.Ordinal);

        var clock = Stopwatch.StartNew();
        await coordinator.Process.KillHardAsync();
        // Another silo answers for the execution grain once the dead one is declared dead (about 7 s), or the client gives up after LostAfter.
        var status = await remote.Completion.WaitAsync(lostAfter + TimeSpan.FromSeconds(40));
        output.WriteLine($"SIGKILL -> the client saw {status} after {clock.Elapsed.TotalSeconds:0.0} s: {remote.GetGoalResults()[1].Error}");
        Assert.Equal(ExecutionStatus.Interrupted, status);
        var goals = remote.GetGoalResults();
        Assert.Equal(NodeStatus.Completed, goals[0].Status);
        foreach (var goal in goals.Skip(1))
        {
            Assert.Equal(NodeStatus.Interrupted, goal.Status);
            Assert.Contains(remote.ExecutionId, goal.Error, StringComparison.Ordinal);
            Assert.Contains("submit it again", goal.Error, StringComparison.Ordinal);
        }

        // The surviving silo ends the record the killed one left Running, in the database itself (what every machine reads, not
        // only this one, where the dead pid can be seen), once the cluster has declared the silo dead.
        var reason = ExecutionOwner.LostCoordinatorReason(remote.Coordinator);
        while ((killed = await RowAsync(cluster, ns, remote.ExecutionId)).Status == "Running")
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "The killed coordinator's record was still Running 60 s after the kill.");
            await Task.Delay(200);
        }

        output.WriteLine($"history row: {killed.Status} {clock.Elapsed.TotalSeconds:0.0} s after the kill; {killed.Error}");
        Assert.Equal(("Interrupted", reason), (killed.Status, killed.Error));
        Assert.NotNull(killed.CompletedAt);
        var record = await HistoryAsync(cluster, ns, remote.ExecutionId);
        Assert.Equal(("Interrupted", reason), (record.Status, record.Error));
        Assert.Contains(remote.Coordinator, record.Error, StringComparison.Ordinal);
        Assert.Contains("ended before it finished", record.Error, StringComparison.Ordinal); // the wording of a local run whose process ended

        // The survivor's own run goes on, its record Running and untouched.
        Assert.False(other.Completion.IsCompleted, $"The run on the surviving coordinator ended: {other.Status}");
        var untouched = await RowAsync(cluster, otherNs, other.ExecutionId);
        Assert.Equal(("Running", (string?)null, other.Coordinator), (untouched.Status, untouched.Error, untouched.Coordinator));
        Assert.Null(untouched.CompletedAt);
        Assert.Equal(ExecutionStatus.Running, other.Status);
    }

    [Fact]
    public async Task A_run_of_a_killed_lone_coordinator_is_recorded_interrupted_by_the_silo_started_after_it()
    {
        // No other silo to hear of the death: the one started next finds the dead entry in the membership table, declares it dead and sweeps.
        await using var cluster = await ClusterProcesses.StartAsync(silos: 1, slots: 2);
        string ns, executionId, coordinatorName;
        await using (var client = await cluster.ConnectAsync())
        {
            var (remote, coordinator, started) = await StartAsync(cluster, client, TimeSpan.FromSeconds(120));
            (ns, executionId, coordinatorName) = (started, remote.ExecutionId, remote.Coordinator);
            await coordinator.Process.KillHardAsync();
            await remote.DisposeAsync();
        }

        var clock = Stopwatch.StartNew();
        Assert.Equal("Running", (await RowAsync(cluster, ns, executionId)).Status);
        await cluster.AddSiloAsync(slots: 2);
        var ready = clock.Elapsed;
        Row row;
        while ((row = await RowAsync(cluster, ns, executionId)).Status == "Running")
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(120), "The killed lone coordinator's record was still Running 120 s after the kill.");
            await Task.Delay(250);
        }

        output.WriteLine($"kill -> replacement ready {ready.TotalSeconds:0.0} s, record {row.Status} {clock.Elapsed.TotalSeconds:0.0} s; {row.Error}");
        Assert.Equal(("Interrupted", ExecutionOwner.LostCoordinatorReason(coordinatorName), coordinatorName), (row.Status, row.Error, row.Coordinator));
    }

    /// <summary>A run with one quick goal and <see cref="Slow"/> goals that sleep for over eight minutes, followed as the module and the server follow one, once the quick goal is done and slow nodes run.</summary>
    private static async Task<(RemoteExecution Remote, ClusterProcesses.Silo Coordinator, string Namespace)> StartAsync(ClusterProcesses cluster, VoxClusterClient client,
        TimeSpan lostAfter)
    {
        var ns = "stop-" + Guid.NewGuid().ToString("N")[..10];
        var salt = (double)(Guid.NewGuid().GetHashCode() & 0xFFFF);
        var sleep = BuiltinOperations.CreateRegistry().TryGet("test.sleep", out var op) ? op.Revision : throw new InvalidOperationException("no test.sleep");
        var b = new DagBuilder();
        var quick = b.Operation("test.sleep", sleep, [b.Constant(salt), b.Constant(1.0)]);
        b.AddGoal(new DagGoal("quick", GoalKind.Node, quick));
        // After the quick one (their input), so they never hold the slots it needs.
        for (var i = 1; i <= Slow; i++)
        {
            b.AddGoal(new DagGoal($"slow{i}", GoalKind.Node, b.Operation("test.sleep", sleep, [quick, b.Constant(500_000.0 + i)])));
        }

        var dag = b.Build("coordinator-stop");
        var execution = await client.SubmitDagAsync(dag, new ClusterSubmitOptions { StoreNamespace = ns, MaxRetries = 0 });
        var coordinator = cluster.Silos.Single(s => execution.Coordinator.StartsWith(s.Address, StringComparison.Ordinal));
        var remote = new RemoteExecution(execution, dag, new ExecutionConfig { StorageBackend = PostgresBackend.Name, StoragePath = ns }, "stop",
            new RemoteExecutionOptions { LostAfter = lostAfter });
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (remote.GetGoalResults()[0].Status != NodeStatus.Completed || remote.GetProgress().RunningNodes < 1)
        {
            Assert.False(remote.Completion.IsCompleted, $"The run ended before the stop: {remote.Status}");
            Assert.True(DateTime.UtcNow < deadline, "The quick goal never completed with slow nodes running.");
            await Task.Delay(100);
        }

        return (remote, coordinator, ns);
    }

    private sealed record Row(string Status, string? Error, long? CompletedAt, string? Coordinator);

    /// <summary>An execution's record as the database holds it (no read-time resolution by this machine's processes).</summary>
    private static async Task<Row> RowAsync(ClusterProcesses cluster, string ns, string executionId)
    {
        await using var connection = new Npgsql.NpgsqlConnection(cluster.Postgres.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            $"SELECT status, error, completed_at, coordinator FROM {SchemaOf(ns)}.executions WHERE execution_id = $1", connection);
        command.Parameters.AddWithValue(executionId);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), $"No history record of {executionId}.");
        return new Row(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetInt64(2),
            reader.IsDBNull(3) ? null : reader.GetString(3));
    }

    // The schema a namespace's tables live in (PostgresSchema.SchemaName, internal to the backend): "vox_" and 12 bytes of its SHA-256.
    private static string SchemaOf(string ns) =>
        "vox_" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(ns)), 0, 12);

    private static async Task<ExecutionRecord> HistoryAsync(ClusterProcesses cluster, string ns, string executionId)
    {
        await using var store = await PostgresResultStore.OpenAsync(cluster.Postgres.ConnectionString, ns, new StoreOptions { ReadOnly = true });
        return await store.GetExecutionAsync(executionId) ?? throw new InvalidOperationException($"No history record of {executionId}.");
    }
}
