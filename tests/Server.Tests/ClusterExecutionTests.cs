using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using VoxScheduler.Cluster.Client;
using VoxScheduler.Server;

namespace VoxScheduler.Tests;

/// <summary>
/// The REST server as a cluster client (issue 16): with --cluster-redis/--cluster-id a
/// <c>"storage_backend": "postgres"</c> request runs on the cluster (a real silo process, real
/// PostgreSQL and Redis on loopback) and is served like a local run: the same answer, progress,
/// events, results, content, cancellation, errors and limits. Category=Cluster: build.ps1 leaves
/// it out (and says why) where PostgreSQL or Redis is missing; CI requires them.
/// </summary>
[Collection("server-postgres")]
[Trait("Category", "Cluster")]
public sealed class ClusterExecutionTests(ServerPostgresFixture postgres) : IAsyncLifetime
{
    private ServerCluster fixture = null!; // the shared cluster, started by the first cluster test

    public async Task InitializeAsync() => fixture = await postgres.ClusterAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private const string Program = """
        import "test"
        print "answer" 6 * 7
        print "text" "ke" + "pt"
        print "seq" range(0, 20000)
        n = length([1, 2])
        print "loop" fold + (for i in range(0, n * 300) do i * 2)
        print "blob" blob(7, 2)
        """;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private HttpClient Client => fixture.Server.Client;

    private static string NewNamespace() => "rest/" + Guid.NewGuid().ToString("N")[..10];

    private static async Task<JsonElement> RunAsync(HttpClient client, string program, string backend, string storagePath, object? extra = null)
    {
        var body = new Dictionary<string, object?> { ["program"] = program, ["async_execution"] = false, ["storage_backend"] = backend, ["storage_path"] = storagePath };
        if (extra is not null)
        {
            foreach (var p in JsonSerializer.SerializeToElement(extra).EnumerateObject()) body[p.Name] = p.Value;
        }

        using var response = await client.PostExecutionAsync(body);
        return await Api.JsonAsync(response, HttpStatusCode.OK);
    }

    private static async Task<string> SubmitAsync(HttpClient client, string program, string storagePath, object? extra = null)
    {
        var body = new Dictionary<string, object?> { ["program"] = program, ["async_execution"] = true, ["storage_backend"] = "postgres", ["storage_path"] = storagePath };
        if (extra is not null)
        {
            foreach (var p in JsonSerializer.SerializeToElement(extra).EnumerateObject()) body[p.Name] = p.Value;
        }

        using var response = await client.PostExecutionAsync(body);
        var json = await Api.JsonAsync(response, HttpStatusCode.Accepted);
        Assert.Equal("submitted", json.GetProperty("status").GetString());
        return json.GetProperty("execution_id").GetString()!;
    }

    private static string? Raw(JsonElement e, string property) => e.TryGetProperty(property, out var value) ? value.GetRawText() : null;

    private async Task<byte[]> ContentAsync(HttpClient client, JsonElement goal)
    {
        using var response = await client.GetAsync(goal.GetProperty("content_url").GetString()!.TrimStart('/'));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsByteArrayAsync();
    }

    [Fact]
    public async Task A_postgres_request_runs_on_the_cluster_with_the_ids_and_values_of_a_local_run()
    {
        var ns = NewNamespace();
        var cluster = await RunAsync(Client, Program, "postgres", ns);
        var local = await RunAsync(Client, Program, "sqlite", "local-" + Guid.NewGuid().ToString("N")[..8]);

        Assert.True(cluster.GetProperty("status").GetString() == "completed", cluster.GetRawText());
        Assert.True(local.GetProperty("status").GetString() == "completed", local.GetRawText());
        // The cluster ran it: the silo's scheduler coordinated it; the local run has no coordinator.
        Assert.StartsWith(fixture.SiloEndpoint, cluster.GetProperty("coordinator").GetString());
        Assert.False(local.TryGetProperty("coordinator", out _));
        Assert.Equal(local.GetProperty("dag_id").GetString(), cluster.GetProperty("dag_id").GetString());

        var clusterGoals = cluster.GetProperty("result").GetProperty("goals").EnumerateArray().ToList();
        var localGoals = local.GetProperty("result").GetProperty("goals").EnumerateArray().ToList();
        Assert.Equal(localGoals.Select(g => g.GetProperty("name").GetString()), clusterGoals.Select(g => g.GetProperty("name").GetString()));
        foreach (var (c, l) in clusterGoals.Zip(localGoals))
        {
            var name = l.GetProperty("name").GetString();
            Assert.True(l.GetProperty("node_id").GetString() == c.GetProperty("node_id").GetString(), $"node id of {name}");
            Assert.Equal("completed", c.GetProperty("status").GetString());
            foreach (var field in new[] { "data_type", "value_omitted", "value", "encoding", "size" })
            {
                Assert.True(Raw(l, field) == Raw(c, field), $"{field} of {name}: local {Raw(l, field)}, cluster {Raw(c, field)}");
            }
        }

        var goals = Api.GoalsByName(cluster.GetProperty("result").GetProperty("goals"));
        Assert.Equal(42, goals["answer"].GetProperty("value").GetDouble());
        Assert.Equal(20000, goals["seq"].GetProperty("value").GetArrayLength()); // above the cluster's 64 KiB inline bound: read from the store
        Assert.Equal("true", Raw(goals["blob"], "value_omitted")); // 2 MiB: above the server's inline bound, streamed
        var blob = await ContentAsync(Client, goals["blob"]);
        Assert.Equal(2 * 1024 * 1024, blob.Length);
        Assert.Equal(SHA256.HashData(await ContentAsync(Client, Api.GoalsByName(local.GetProperty("result").GetProperty("goals"))["blob"])), SHA256.HashData(blob));

        // The results are in the shared store: its history lists the execution, with the goals' values.
        var id = cluster.GetProperty("execution_id").GetString()!;
        var query = $"storage_backend=postgres&storage_path={Uri.EscapeDataString(ns)}";
        var history = await Client.GetJsonAsync($"api/v1/history?{query}");
        Assert.Contains(history.GetProperty("executions").EnumerateArray(), e => e.GetProperty("execution_id").GetString() == id);
        var detail = await Client.GetJsonAsync($"api/v1/history/{id}?{query}");
        Assert.Equal(42, Api.GoalsByName(detail.GetProperty("goals"))["answer"].GetProperty("value").GetDouble());

        var summary = (await Client.GetJsonAsync("api/v1/executions")).GetProperty("executions").EnumerateArray().Single(e => e.GetProperty("execution_id").GetString() == id);
        Assert.Equal("postgres", summary.GetProperty("storage_backend").GetString());
        Assert.Equal(ns, summary.GetProperty("storage_path").GetString());
        Assert.StartsWith(fixture.SiloEndpoint, summary.GetProperty("coordinator").GetString());

        // Again on the cluster: everything is served from the shared store.
        var rerun = await RunAsync(Client, Program, "postgres", ns);
        var progress = rerun.GetProperty("result").GetProperty("progress");
        Assert.Equal(progress.GetProperty("total_nodes").GetInt32(), progress.GetProperty("cached_nodes").GetInt32());
    }

    [Fact]
    public async Task An_async_cluster_run_has_progress_events_results_and_content()
    {
        const string Slow = "import \"test\"\nx = sleep(1, 400)\nprint \"a\" x\nprint \"b\" sleep(x + 1, 400)\nprint \"blob\" blob(3, 2)";
        var id = await SubmitAsync(Client, Slow, NewNamespace());
        var progress = await Client.GetJsonAsync($"api/v1/execution/{id}/progress");
        Assert.Equal(id, progress.GetProperty("execution_id").GetString());
        Assert.True(progress.GetProperty("total_nodes").GetInt32() > 0);

        var events = await Client.ReadEventsAsync(id);
        var last = events[^1];
        Assert.Equal("execution-finished", last.Event);
        Assert.Equal("completed", last.Json.GetProperty("status").GetString());
        Assert.Equal(100, last.Json.GetProperty("progress").GetProperty("progress_percentage").GetDouble());
        // Progress events while it ran (the same shape as a local run's), and one goal-finished event per goal.
        var progressEvents = events.Where(e => e.Event == "progress").ToList();
        Assert.NotEmpty(progressEvents);
        Assert.All(progressEvents, e => Assert.Equal(id, e.Json.GetProperty("progress").GetProperty("execution_id").GetString()));
        var goalEvents = events.Where(e => e.Event == "goal-finished").Select(e => e.Json.GetProperty("goal")).ToList();
        Assert.Equal(["a", "b", "blob"], goalEvents.Select(g => g.GetProperty("name").GetString()).Order());
        Assert.Equal(2, goalEvents.Single(g => g.GetProperty("name").GetString() == "b").GetProperty("value").GetDouble());
        // As they happen, as in a local run: node-finished events for the nodes run on the silo, and goal "a" is announced
        // (with its value) while "b", which waits 400 ms more, still runs: before b's sleep node has finished.
        var sleeps = events.Select((e, i) => (e, i)).Where(x => x.e.Event == "node-finished" && x.e.Json.GetProperty("operator").GetString()!.EndsWith("sleep", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, sleeps.Count);
        Assert.All(sleeps, x => Assert.Equal("completed", x.e.Json.GetProperty("node_status").GetString()));
        Assert.All(sleeps, x => Assert.Matches("^[0-9a-f]{64}$", x.e.Json.GetProperty("node_id").GetString()));
        var aAt = events.FindIndex(e => e.Event == "goal-finished" && e.Json.GetProperty("goal").GetProperty("name").GetString() == "a");
        Assert.True(aAt < sleeps[1].i, $"goal a was announced at event {aAt}, after b's sleep finished (event {sleeps[1].i})");
        Assert.Equal(1, events[aAt].Json.GetProperty("goal").GetProperty("value").GetDouble());

        var results = await Client.GetJsonAsync($"api/v1/execution/{id}/results");
        Assert.Equal("completed", results.GetProperty("status").GetString());
        var goals = Api.GoalsByName(results.GetProperty("goals"));
        Assert.Equal(1, goals["a"].GetProperty("value").GetDouble());
        Assert.Equal(2, goals["b"].GetProperty("value").GetDouble());
        var local = await RunAsync(Client, "import \"test\"\nprint \"blob\" blob(3, 2)", "sqlite", "local-" + Guid.NewGuid().ToString("N")[..8]);
        Assert.Equal(SHA256.HashData(await ContentAsync(Client, Api.GoalsByName(local.GetProperty("result").GetProperty("goals"))["blob"])),
            SHA256.HashData(await ContentAsync(Client, goals["blob"])));
        // By name as well as by ordinal, as for a local run.
        using var byName = await Client.GetAsync($"api/v1/execution/{id}/results/a/content");
        Assert.Equal("1", (await byName.Content.ReadAsStringAsync()).Trim());
    }

    [Fact]
    public async Task Cancelling_a_long_cluster_run_stops_its_node_on_the_silo()
    {
        await using var observer = await fixture.ConnectAsync();
        var id = await SubmitAsync(Client, "import \"test\"\nprint \"slow\" sleep(1, 600000)", NewNamespace());
        Assert.True(await UntilAsync(async () => (await observer.GetSilosAsync()).Sum(s => s.InFlight) > 0), "the node never ran on the silo");

        using var response = await Client.DeleteAsync($"api/v1/execution/{id}");
        var answer = await Api.JsonAsync(response, HttpStatusCode.OK);
        Assert.Equal("cancelled", answer.GetProperty("status").GetString());
        Assert.Equal("cancelled", (await Client.GetJsonAsync($"api/v1/execution/{id}/progress")).GetProperty("status").GetString());
        var results = await Client.GetJsonAsync($"api/v1/execution/{id}/results");
        Assert.Equal("cancelled", Assert.Single(results.GetProperty("goals").EnumerateArray()).GetProperty("status").GetString());
        // The silo's worker let go of the node (a sleep of ten minutes would hold its slot otherwise).
        Assert.True(await UntilAsync(async () => (await observer.GetSilosAsync()).Sum(s => s.InFlight) == 0), "the silo still runs the node");

        using var again = await Client.DeleteAsync($"api/v1/execution/{id}");
        await Api.ProblemAsync(again, HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task A_failing_node_is_reported_as_in_a_local_run()
    {
        const string Failing = "import \"test\"\nprint \"bad\" fail(\"boom\")\nprint \"after\" fail(\"boom\") + 1\nprint \"good\" 1 + 1";
        var extra = new { max_retries = 0 };
        var cluster = await RunAsync(Client, Failing, "postgres", NewNamespace(), extra);
        var local = await RunAsync(Client, Failing, "sqlite", "local-" + Guid.NewGuid().ToString("N")[..8], extra);
        Assert.Equal(local.GetProperty("status").GetString(), cluster.GetProperty("status").GetString());
        Assert.Equal("failed", cluster.GetProperty("status").GetString());
        var c = Api.GoalsByName(cluster.GetProperty("result").GetProperty("goals"));
        var l = Api.GoalsByName(local.GetProperty("result").GetProperty("goals"));
        foreach (var name in new[] { "bad", "after", "good" })
        {
            Assert.True(l[name].GetProperty("status").GetString() == c[name].GetProperty("status").GetString(), $"status of {name}");
        }

        Assert.Contains("boom", c["bad"].GetProperty("error").GetString());
        Assert.Equal(2, c["good"].GetProperty("value").GetDouble());
        using var content = await Client.GetAsync($"api/v1/execution/{cluster.GetProperty("execution_id").GetString()}/results/bad/content");
        await Api.ProblemAsync(content, HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Bad_requests_get_the_same_problems_as_local_ones_and_what_cannot_run_remotely_is_refused()
    {
        object[] bad =
        [
            new { program = "print \"x\" 1 +\nprint", async_execution = false },
            new { program = "print \"x\" 1", async_execution = false, max_retry = 3 },
            new { program = "print \"n\" length(for i in range(0, 100000) do i * 2)", async_execution = false },
            new { program = "print \"x\" 1", async_execution = false, max_concurrent_nodes = 100000 },
        ];
        foreach (var body in bad)
        {
            var fields = JsonSerializer.SerializeToElement(body).EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value);
            using var local = await Client.PostExecutionAsync(new Dictionary<string, object?>(fields) { ["storage_backend"] = "sqlite", ["storage_path"] = "bad-local" });
            using var remote = await Client.PostExecutionAsync(new Dictionary<string, object?>(fields) { ["storage_backend"] = "postgres", ["storage_path"] = "bad" });
            var localProblem = await Api.ProblemAsync(local, HttpStatusCode.BadRequest);
            var remoteProblem = await Api.ProblemAsync(remote, HttpStatusCode.BadRequest);
            foreach (var key in new[] { "type", "title", "detail", "errors" })
            {
                Assert.Equal(localProblem.TryGetProperty(key, out var a) ? a.GetRawText() : null, remoteProblem.TryGetProperty(key, out var b) ? b.GetRawText() : null);
            }
        }

        // Files are read and written where the server is, not on a silo: refused, naming the operation or the save.
        Directory.CreateDirectory(Path.Combine(fixture.Server.DataRoot, "in"));
        await File.WriteAllTextAsync(Path.Combine(fixture.Server.DataRoot, "in", "a.txt"), "text");
        using (var load = await Client.PostExecutionAsync(new { program = "print \"x\" load(\"../../in/a.txt\")", storage_backend = "postgres", storage_path = "files" }))
        {
            var problem = await Api.ProblemAsync(load, HttpStatusCode.BadRequest);
            Assert.Contains("cannot run on the cluster", problem.GetProperty("detail").GetString());
            Assert.Contains(problem.GetProperty("errors").EnumerateArray(), e => e.GetProperty("message").GetString()!.Contains("default.load", StringComparison.Ordinal));
        }

        using (var save = await Client.PostExecutionAsync(new { program = "save \"out.txt\" \"text\"", storage_backend = "postgres", storage_path = "files" }))
        {
            var problem = await Api.ProblemAsync(save, HttpStatusCode.BadRequest);
            Assert.Contains("save 'out.txt' cannot run on the cluster", problem.GetProperty("detail").GetString());
        }

        // A field the cluster does not take is refused by name, never ignored.
        using var budget = await Client.PostExecutionAsync(new { program = "print \"x\" 1", storage_backend = "postgres", storage_path = "files", memory_budget = 1000 });
        var refused = await Api.ProblemAsync(budget, HttpStatusCode.BadRequest);
        Assert.Equal("$.memory_budget", Assert.Single(refused.GetProperty("errors").EnumerateArray()).GetProperty("path").GetString());
    }

    [Fact]
    public async Task A_requests_compression_and_codec_reach_the_results_the_silo_stores()
    {
        var ns = NewNamespace();
        async Task<JsonElement> StoredAsync(string seed, object extra)
        {
            // A computed, compressible text of 3001 characters (a constant would not be computed).
            var answer = await RunAsync(Client, $"print \"s\" \"{seed}{new string('v', 3000)}\" + \"w\"", "postgres", ns, extra);
            Assert.Equal("completed", answer.GetProperty("status").GetString());
            var detail = await Client.GetJsonAsync($"api/v1/history/{answer.GetProperty("execution_id").GetString()}?storage_backend=postgres&storage_path={Uri.EscapeDataString(ns)}");
            return detail.GetProperty("goals")[0];
        }

        var lz4 = await StoredAsync("a", new { });
        Assert.Equal("lz4", lz4.GetProperty("compression").GetString());
        Assert.True(lz4.GetProperty("stored_size").GetInt64() < lz4.GetProperty("size").GetInt64() / 4, lz4.GetRawText());
        var raw = await StoredAsync("b", new { compression = false });
        Assert.Equal(JsonValueKind.Null, raw.GetProperty("compression").ValueKind);
        Assert.Equal(raw.GetProperty("size").GetInt64(), raw.GetProperty("stored_size").GetInt64());
        var brotli = await StoredAsync("c", new { compression_codec = "brotli" });
        Assert.Equal("brotli", brotli.GetProperty("compression").GetString());
    }

    [Fact]
    public async Task Run_time_expansion_on_the_cluster_counts_against_max_execution_nodes_as_locally()
    {
        // The loop expands on the coordinating silo at run time: past the server's node budget its node fails, with a local run's error.
        await using var server = await fixture.StartServerAsync(o => o.MaxExecutionNodes = 2_000);
        const string Loop = "n = length([1, 2])\nprint \"s\" fold + (for i in range(0, n * 5000) do i * 2)";
        var cluster = await RunAsync(server.Client, Loop, "postgres", NewNamespace());
        var local = await RunAsync(server.Client, Loop, "sqlite", "local-" + Guid.NewGuid().ToString("N")[..8]);
        Assert.Equal("failed", local.GetProperty("status").GetString());
        Assert.Equal("failed", cluster.GetProperty("status").GetString());
        var error = Assert.Single(cluster.GetProperty("result").GetProperty("goals").EnumerateArray()).GetProperty("error").GetString();
        Assert.Contains("max_execution_nodes = 2000", error);
        // The same message; which loop chunk crosses the budget, and so the node ids and counts it names, depends on timing (locally too).
        static string Masked(string? text) =>
            System.Text.RegularExpressions.Regex.Replace(System.Text.RegularExpressions.Regex.Replace(text ?? "", @"\b[0-9a-f]{12}\b", "<id>"), @"\b(?!2000\b)\d+\b", "<n>");
        Assert.Equal(Masked(Assert.Single(local.GetProperty("result").GetProperty("goals").EnumerateArray()).GetProperty("error").GetString()), Masked(error));
    }

    [Fact]
    public async Task The_history_of_a_cluster_run_records_its_source_as_a_local_run_does()
    {
        var ns = NewNamespace();
        var cluster = await RunAsync(Client, "print \"h\" 2 + " + Random.Shared.Next(), "postgres", ns);
        var localPath = "local-" + Guid.NewGuid().ToString("N")[..8];
        var local = await RunAsync(Client, "print \"h\" 3", "sqlite", localPath);
        var id = cluster.GetProperty("execution_id").GetString();
        var history = await Client.GetJsonAsync($"api/v1/history?storage_backend=postgres&storage_path={Uri.EscapeDataString(ns)}");
        var record = Assert.Single(Records(history), r => r.GetProperty("execution_id").GetString() == id);
        var localHistory = await Client.GetJsonAsync($"api/v1/history?storage_backend=sqlite&storage_path={localPath}");
        var localRecord = Assert.Single(Records(localHistory), r => r.GetProperty("execution_id").GetString() == local.GetProperty("execution_id").GetString());
        Assert.Equal("REST program text", localRecord.GetProperty("source").GetString());
        Assert.Equal(localRecord.GetProperty("source").GetString(), record.GetProperty("source").GetString());
        // The coordinating silo, as the live summary named it, with its generation (what a lost-coordinator sweep matches); none for a local run.
        var summary = (await Client.GetJsonAsync("api/v1/executions")).GetProperty("executions").EnumerateArray().Single(e => e.GetProperty("execution_id").GetString() == id);
        var coordinator = record.GetProperty("coordinator").GetString()!;
        Assert.Matches(@"^.+:\d+@\d+$", coordinator);
        Assert.StartsWith(fixture.SiloEndpoint, coordinator);
        Assert.StartsWith(summary.GetProperty("coordinator").GetString()!.Split('@')[0], coordinator);
        Assert.False(localRecord.TryGetProperty("coordinator", out _));
    }

    private static IEnumerable<JsonElement> Records(JsonElement history) =>
        (history.ValueKind == JsonValueKind.Array ? history : history.GetProperty("executions")).EnumerateArray();

    [Fact]
    public async Task The_per_client_cap_and_the_wall_clock_limit_hold_for_cluster_runs()
    {
        await using var server = await fixture.StartServerAsync(o => o.MaxConcurrentExecutionsPerClient = 1);
        var id = await SubmitAsync(server.Client, "import \"test\"\nprint \"slow\" sleep(1, 600000)", NewNamespace(), new { timeout_seconds = 3 });
        using (var second = await server.Client.PostExecutionAsync(new { program = "print \"x\" 1", storage_backend = "postgres", storage_path = NewNamespace() }))
        {
            var problem = await Api.ProblemAsync(second, HttpStatusCode.TooManyRequests);
            Assert.Contains("at most 1 executions", problem.GetProperty("detail").GetString());
        }

        // The wall-clock limit cancels it on the cluster; its slot is free again.
        var events = await server.Client.ReadEventsAsync(id);
        Assert.Equal("cancelled", events[^1].Json.GetProperty("status").GetString());
        var after = await RunAsync(server.Client, "print \"x\" 6 * 7", "postgres", NewNamespace());
        Assert.Equal(42, Api.GoalsByName(after.GetProperty("result").GetProperty("goals"))["x"].GetProperty("value").GetDouble());
    }

    [Fact]
    public async Task Health_shows_the_cluster()
    {
        var health = await Client.GetJsonAsync("health");
        Assert.Equal("ok", health.GetProperty("status").GetString());
        var cluster = health.GetProperty("cluster");
        Assert.Equal("connected", cluster.GetProperty("state").GetString());
        Assert.Equal(fixture.ClusterId, cluster.GetProperty("cluster_id").GetString());
        Assert.Equal(1, cluster.GetProperty("active_silos").GetInt32());
        Assert.Equal(ServerCluster.Slots, cluster.GetProperty("slots").GetInt32());
    }

    [Fact]
    public async Task A_server_whose_cluster_cannot_be_reached_does_not_start_and_says_why()
    {
        using var root = new TempFolder("vox-cluster-rest");
        var unreachable = $"127.0.0.1:{ServerCluster.FreePort()}";
        // As an operator starts it: the options on the command line, the connection string in a file.
        var e = Assert.Throws<InvalidOperationException>(() => ServerApp.Create(
            ["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning", "--data-root", root.Path, "--postgres-file", fixture.ConnectionFile,
             "--cluster-redis", unreachable, "--cluster-id", "nowhere", "--cluster-connect-timeout", "3"]));
        Assert.Contains("Cannot connect to the cluster 'nowhere'", e.Message);
        Assert.Contains(unreachable, e.Message);

        // Redis answers, but no silo of that cluster id is there.
        var empty = Assert.Throws<InvalidOperationException>(() => ServerApp.Create(["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"], o =>
        {
            o.DataRoot = root.Path;
            o.PostgresConnectionFile = fixture.ConnectionFile;
            o.ClusterRedis = fixture.Redis.Endpoint;
            o.ClusterId = "no-silos-" + Guid.NewGuid().ToString("N")[..6];
            o.ClusterConnectTimeoutSeconds = 3;
        }));
        Assert.Contains("no-silos-", empty.Message);

        // Half an option is refused before anything is tried.
        var half = Assert.Throws<InvalidOperationException>(() => ServerApp.Create(["--urls", "http://127.0.0.1:0"], o =>
        {
            o.DataRoot = root.Path;
            o.ClusterRedis = fixture.Redis.Endpoint;
        }));
        Assert.Contains("--cluster-redis <host:port> and --cluster-id <id>", half.Message);
    }

    /// <summary>Asks until the condition holds (the silo's state is only seen by asking), at most <see cref="Patience"/>.</summary>
    private static async Task<bool> UntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition()) return true;
            await Task.Delay(100);
        }

        return false;
    }
}
