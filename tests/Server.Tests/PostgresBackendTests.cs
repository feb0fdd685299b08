using System.Net;
using System.Text;

namespace VoxScheduler.Tests;

/// <summary>One PostgreSQL server (a real one on loopback) for the server's postgres-backend tests.</summary>
public sealed class ServerPostgresFixture : IAsyncLifetime
{
    public PostgresServer Server { get; private set; } = null!;

    /// <summary>A file holding the server's connection string, as an operator gives it with --postgres-file.</summary>
    public string ConnectionFile { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await PostgresServer.StartAsync();
        ConnectionFile = Path.Combine(Path.GetTempPath(), $"vox-pg-connection-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(ConnectionFile, Server.ConnectionString + Environment.NewLine);
    }

    private readonly SemaphoreSlim _clusterGate = new(1, 1);
    private ServerCluster? _cluster;

    /// <summary>
    /// The cluster of the cluster tests on this PostgreSQL server, started by the first of them
    /// (the postgres tests never start it, so they run where Redis is missing).
    /// </summary>
    public async Task<ServerCluster> ClusterAsync()
    {
        await _clusterGate.WaitAsync();
        try
        {
            return _cluster ??= await ServerCluster.StartAsync(this);
        }
        finally
        {
            _clusterGate.Release();
        }
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null) await _cluster.DisposeAsync();
        if (ConnectionFile is not null) File.Delete(ConnectionFile);
        if (Server is not null) await Server.DisposeAsync();
        _clusterGate.Dispose();
    }
}

/// <summary>The postgres backend's tests and the cluster tests: one database for the process (the backend is registered process-wide).</summary>
[CollectionDefinition("server-postgres")]
public sealed class ServerPostgresCollection : ICollectionFixture<ServerPostgresFixture>;

/// <summary>
/// The REST server's postgres backend (issue 16): with --postgres / --postgres-file a request may
/// store results in a namespace of the server's database (the connection string never comes from
/// a request); without it the request is refused naming the missing option. Real HTTP, a real
/// PostgreSQL. Category=Postgres: build.ps1 leaves it out (and says why) where PostgreSQL is missing.
/// </summary>
[Collection("server-postgres")]
[Trait("Category", "Postgres")]
public sealed class PostgresBackendTests(ServerPostgresFixture fixture)
{
    private const string Program = "print \"answer\" 6 * 7\nprint \"text\" \"ke\" + \"pt\"";

    private Task<ServerHost> StartAsync() => ServerHost.StartAsync(o => o.PostgresConnectionFile = fixture.ConnectionFile);

    private static string NewNamespace() => "team/" + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task A_run_is_stored_in_the_namespace_and_a_rerun_is_served_from_it()
    {
        await using var host = await StartAsync();
        var ns = NewNamespace();
        var first = await host.Client.RunAsync(Program, storagePath: ns, backend: "postgres");
        Assert.Equal("completed", first.GetProperty("status").GetString());
        var goals = Api.GoalsByName(first.GetProperty("result").GetProperty("goals"));
        Assert.Equal(42, goals["answer"].GetProperty("value").GetDouble());
        Assert.Equal("kept", goals["text"].GetProperty("value").GetString());
        Assert.True(first.GetProperty("result").GetProperty("progress").GetProperty("completed_nodes").GetInt32() > 0);

        // Another server process on the same database (a restarted server) finds everything stored.
        await using var second = await StartAsync();
        var rerun = await second.Client.RunAsync(Program, storagePath: ns, backend: "postgres");
        var progress = rerun.GetProperty("result").GetProperty("progress");
        Assert.Equal(progress.GetProperty("total_nodes").GetInt32(), progress.GetProperty("cached_nodes").GetInt32());
        Assert.Equal(42, Api.GoalsByName(rerun.GetProperty("result").GetProperty("goals"))["answer"].GetProperty("value").GetDouble());
        Assert.All(Api.GoalsByName(rerun.GetProperty("result").GetProperty("goals")).Values, g => Assert.Equal("cached", g.GetProperty("status").GetString()));

        // The namespace is no folder: nothing was created under the data root for it.
        Assert.False(Directory.Exists(Path.Combine(host.DataRoot, "team")));
        var summary = Assert.Single((await second.Client.GetJsonAsync("api/v1/executions")).GetProperty("executions").EnumerateArray());
        Assert.Equal("postgres", summary.GetProperty("storage_backend").GetString());
        Assert.Equal(ns, summary.GetProperty("storage_path").GetString());
    }

    [Fact]
    public async Task The_history_of_a_namespace_lists_its_executions_and_serves_their_goals()
    {
        await using var host = await StartAsync();
        var ns = NewNamespace();
        var id = (await host.Client.RunAsync(Program, storagePath: ns, backend: "postgres")).GetProperty("execution_id").GetString()!;
        await host.Client.RunAsync("print \"other\" 1 + 1", storagePath: NewNamespace(), backend: "postgres");

        var query = $"storage_backend=postgres&storage_path={Uri.EscapeDataString(ns)}";
        var list = await host.Client.GetJsonAsync($"api/v1/history?{query}");
        Assert.Equal("postgres", list.GetProperty("storage_backend").GetString());
        Assert.Equal(ns, list.GetProperty("storage_path").GetString());
        var record = Assert.Single(list.GetProperty("executions").EnumerateArray());
        Assert.Equal(id, record.GetProperty("execution_id").GetString());
        Assert.Equal("completed", record.GetProperty("status").GetString());

        var detail = await host.Client.GetJsonAsync($"api/v1/history/{id}?{query}");
        var goals = Api.GoalsByName(detail.GetProperty("goals"));
        Assert.Equal(42, goals["answer"].GetProperty("value").GetDouble());
        var url = goals["text"].GetProperty("content_url").GetString()!;
        Assert.Contains(Uri.EscapeDataString(ns), url, StringComparison.Ordinal);
        using var content = await host.Client.GetAsync(url.TrimStart('/'));
        Assert.Equal(HttpStatusCode.OK, content.StatusCode);
        Assert.Equal("kept", Encoding.UTF8.GetString(await content.Content.ReadAsByteArrayAsync()));

        using var missing = await host.Client.GetAsync($"api/v1/history?storage_backend=postgres&storage_path={Uri.EscapeDataString(NewNamespace())}");
        await Api.ProblemAsync(missing, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_namespace_is_bounded_and_is_never_a_path()
    {
        await using var host = await StartAsync();
        using (var tooLong = await host.Client.PostExecutionAsync(new { program = Program, storage_backend = "postgres", storage_path = new string('n', 257), async_execution = false }))
        {
            var problem = await Api.ProblemAsync(tooLong, HttpStatusCode.BadRequest);
            Assert.Contains("at most 256 characters", problem.GetProperty("detail").GetString());
        }

        using (var control = await host.Client.PostExecutionAsync(new { program = Program, storage_backend = "postgres", storage_path = "bad\u0001name", async_execution = false }))
        {
            await Api.ProblemAsync(control, HttpStatusCode.BadRequest);
        }

        // Text that would leave the data root as a folder is just a name here: accepted, nothing written outside.
        var ns = "../" + Guid.NewGuid().ToString("N")[..8];
        var answer = await host.Client.RunAsync(Program, storagePath: ns, backend: "postgres");
        Assert.Equal("completed", answer.GetProperty("status").GetString());
        Assert.False(Directory.Exists(Path.GetFullPath(Path.Combine(host.DataRoot, ns))));
        var exactly256 = new string('m', 255) + Guid.NewGuid().ToString("N")[..1];
        Assert.Equal("completed", (await host.Client.RunAsync("print \"x\" 1", storagePath: exactly256, backend: "postgres")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Without_the_server_option_postgres_is_refused_naming_the_option()
    {
        await using var host = await ServerHost.StartAsync();
        using (var response = await host.Client.PostExecutionAsync(new { program = Program, storage_backend = "postgres", storage_path = "ns", async_execution = false }))
        {
            var problem = await Api.ProblemAsync(response, HttpStatusCode.BadRequest);
            var detail = problem.GetProperty("detail").GetString()!;
            Assert.Contains("--postgres", detail, StringComparison.Ordinal);
            Assert.Contains("VOXSCHEDULER_POSTGRES", detail, StringComparison.Ordinal);
        }

        using var history = await host.Client.GetAsync("api/v1/history?storage_backend=postgres&storage_path=ns");
        Assert.Contains("--postgres", (await Api.ProblemAsync(history, HttpStatusCode.BadRequest)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_start_without_a_connection_string_fails_and_says_where_it_looks()
    {
        var saved = Environment.GetEnvironmentVariable("VOXSCHEDULER_POSTGRES");
        try
        {
            Environment.SetEnvironmentVariable("VOXSCHEDULER_POSTGRES", null);
            var none = Assert.Throws<InvalidOperationException>(() => VoxScheduler.Server.ServerApp.Create(["--urls", "http://127.0.0.1:0", "--postgres"], o => o.DataRoot = Path.GetTempPath()));
            Assert.Contains("VOXSCHEDULER_POSTGRES", none.Message, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("VOXSCHEDULER_POSTGRES", saved);
        }

        var missingFile = Path.Combine(Path.GetTempPath(), $"vox-no-such-{Guid.NewGuid():N}");
        var unreadable = Assert.Throws<InvalidOperationException>(() => VoxScheduler.Server.ServerApp.Create(["--urls", "http://127.0.0.1:0", "--postgres-file", missingFile], o => o.DataRoot = Path.GetTempPath()));
        Assert.Contains(missingFile, unreadable.Message, StringComparison.Ordinal);
    }
}
