using VoxScheduler.Scheduling;
using VoxScheduler.Storage;

namespace VoxScheduler.Server;

/// <summary>
/// Settings of the REST server, bound from the <c>VoxServer</c> configuration section
/// (appsettings.json, <c>VOXSERVER_…</c> environment variables, command-line switches).
/// </summary>
internal sealed class ServerOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string Section = "VoxServer";

    /// <summary>Address to listen on when <c>--urls</c> is not given; loopback by default so nothing is exposed by accident.</summary>
    public string BindAddress { get; set; } = "127.0.0.1";

    /// <summary>Port to listen on when <c>--urls</c> is not given (0: any free port).</summary>
    public int Port { get; set; } = 5080;

    /// <summary>Folder every store and every saved file must live under.</summary>
    public string DataRoot { get; set; } = "voxserver-data";

    /// <summary>
    /// When set, every <c>/api</c> request must carry it in the <c>X-Api-Key</c> header. Prefer
    /// <c>VOXSERVER_APIKEY</c> or <see cref="ApiKeyFile"/> to <c>--api-key</c>: a command line is
    /// visible to every user of the machine (ps).
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>A file whose content (trimmed) is the API key (<c>--api-key-file</c>).</summary>
    public string? ApiKeyFile { get; set; }

    /// <summary>
    /// Allow listening beyond loopback without an API key (<c>--allow-anonymous-remote</c>);
    /// otherwise such a start is refused, since anyone who can reach the port could run programs.
    /// </summary>
    public bool AllowAnonymousRemote { get; set; }

    /// <summary>
    /// Host names requests may address (<c>;</c>-separated, as ASP.NET's <c>AllowedHosts</c>).
    /// Null: the loopback names when listening on loopback (a DNS-rebinding page cannot reach the
    /// server through another name), any host otherwise.
    /// </summary>
    public string? AllowedHosts { get; set; }

    /// <summary>Largest accepted request body, in bytes.</summary>
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Longest accepted program, in characters.</summary>
    public int MaxProgramLength { get; set; } = 256 * 1024;

    /// <summary>Most DAG nodes one program may reduce to (the compile node budget of every submission).</summary>
    public int MaxCompileNodes { get; set; } = 1_000_000;

    /// <summary>Longest one program may take to compile, in seconds.</summary>
    public double CompileTimeoutSeconds { get; set; } = 20;

    /// <summary>Most nodes one execution's plan may hold, its DAG's and what run-time loops expand into.</summary>
    public int MaxExecutionNodes { get; set; } = 2_000_000;

    /// <summary>Stores kept open at once; the least recently used idle one is closed past it and reopened on demand.</summary>
    public int MaxOpenStores { get; set; } = 8;

    /// <summary>Longest an execution may run, in seconds, before it is cancelled (a request may ask for less with <c>timeout_seconds</c>).</summary>
    public double MaxExecutionSeconds { get; set; } = 3600;

    /// <summary>
    /// Executions one client may have running at once (a client is its API key when one is
    /// configured, else its remote address), so one caller cannot hold every slot.
    /// </summary>
    public int MaxConcurrentExecutionsPerClient { get; set; } = 4;

    /// <summary>Executions running at once; more are refused with 429 until one ends.</summary>
    public int MaxConcurrentExecutions { get; set; } = 16;

    /// <summary>
    /// Nodes computing at once across all executions, the CPU workers (0: the scheduler's
    /// default, 2 × cores and at least 4). Nodes waiting on I/O hold no worker, so a request's
    /// <c>max_concurrent_nodes</c> above it still has that many nodes in flight; the response says so (<c>warnings</c>).
    /// </summary>
    public int MaxWorkers { get; set; }

    /// <summary>
    /// Memory budget for live values of an execution whose request gives no <c>memory_budget</c>,
    /// in bytes (0: none): above it, ready nodes that would start new work wait while those
    /// finishing work already begun run first.
    /// </summary>
    public long MemoryBudget { get; set; }

    /// <summary>Retention of every store the server opens: evict results not used for this many seconds (null: no age bound).</summary>
    public double? RetentionMaxAgeSeconds { get; set; }

    /// <summary>Retention: evict least recently used results until a store holds at most this many bytes (null: no size bound).</summary>
    public long? RetentionMaxBytes { get; set; }

    /// <summary>Retention: keep at most this many finished executions in a store's history (null: all).</summary>
    public int? RetentionMaxExecutions { get; set; }

    /// <summary>Retention: forget finished executions that ended more than this many seconds ago (null: none).</summary>
    public double? RetentionMaxExecutionAgeSeconds { get; set; }

    /// <summary>How often the retention is applied to each open store, in seconds (1 to 86400; default 600). It is also applied when a store opens.</summary>
    public double RetentionIntervalSeconds { get; set; } = 600;

    /// <summary>The retention the options describe, or null when they bound nothing.</summary>
    public StoreRetention? Retention()
    {
        if (RetentionMaxAgeSeconds is null && RetentionMaxBytes is null && RetentionMaxExecutions is null && RetentionMaxExecutionAgeSeconds is null) return null;
        return new StoreRetention
        {
            MaxAge = RetentionMaxAgeSeconds is { } age ? TimeSpan.FromSeconds(age) : null,
            MaxTotalBytes = RetentionMaxBytes,
            History = RetentionMaxExecutions is null && RetentionMaxExecutionAgeSeconds is null ? null
                : new HistoryRetention(RetentionMaxExecutionAgeSeconds is { } h ? TimeSpan.FromSeconds(h) : null, RetentionMaxExecutions),
            Interval = TimeSpan.FromSeconds(RetentionIntervalSeconds),
        };
    }

    /// <summary>Largest <c>max_concurrent_nodes</c> a request may ask for.</summary>
    public int MaxConcurrentNodesPerExecution { get; set; } = 64;

    /// <summary>Values whose JSON would be larger than this many bytes (bytes as base64, long sequences, long strings) are not inlined in answers: only their content link, which streams.</summary>
    public long MaxInlineBytes { get; set; } = 1024 * 1024;

    /// <summary>Finished executions kept in memory for lookups.</summary>
    public int RetainFinishedExecutions { get; set; } = 256;

    /// <summary>Most bytes (estimated: DAG nodes and goal values) the finished executions kept in memory may hold together; older ones are forgotten first (their history stays in their store).</summary>
    public long RetainFinishedBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Storage backends requests may choose (empty: sqlite, filesystem, hybrid and none, plus postgres when the server has a PostgreSQL store).</summary>
    /// <remarks>Null by default because the configuration binder appends to a pre-filled array instead of replacing it.</remarks>
    public string[]? AllowedBackends { get; set; }

    /// <summary>The backends requests may choose.</summary>
    public IReadOnlyList<string> EffectiveBackends =>
        AllowedBackends is { Length: > 0 } chosen ? chosen
        : PostgresEnabled ? ["sqlite", "filesystem", "hybrid", "none", PostgresBackendName] : ["sqlite", "filesystem", "hybrid", "none"];

    /// <summary>The backend name a request gives to use the server's PostgreSQL store.</summary>
    public const string PostgresBackendName = "postgres";

    /// <summary>Longest store namespace (<c>storage_path</c> of a postgres request), in characters.</summary>
    public const int MaxStoreNamespaceLength = 256;

    /// <summary>
    /// Offer the <c>postgres</c> backend (<c>--postgres</c>): requests may then store results in a
    /// namespace of the PostgreSQL database whose connection string is in the
    /// <c>VOXSCHEDULER_POSTGRES</c> environment variable of the server (never in a request).
    /// </summary>
    public bool PostgresStore { get; set; }

    /// <summary>
    /// A file holding the PostgreSQL connection string (<c>--postgres-file</c>); implies
    /// <see cref="PostgresStore"/>. Keeps the password off the command line and the environment.
    /// </summary>
    public string? PostgresConnectionFile { get; set; }

    /// <summary>True when requests may choose the postgres backend (a cluster client always offers it: the cluster's results are there).</summary>
    public bool PostgresEnabled => PostgresStore || !string.IsNullOrEmpty(PostgresConnectionFile) || ClusterEnabled;

    /// <summary>
    /// The Redis server of a VoxScheduler cluster's membership (<c>--cluster-redis host:port</c>):
    /// with <see cref="ClusterId"/>, the server connects to the cluster as a client at start and
    /// runs <c>"storage_backend": "postgres"</c> requests there. The PostgreSQL connection string
    /// (the cluster's shared store, read for results) comes as for <see cref="PostgresStore"/>.
    /// </summary>
    public string? ClusterRedis { get; set; }

    /// <summary>The cluster's id (<c>--cluster-id</c>, the silos' <c>--cluster-id</c>).</summary>
    public string? ClusterId { get; set; }

    /// <summary>The cluster's service id (<c>--cluster-service-id</c>; the silos' <c>--service-id</c>).</summary>
    public string ClusterServiceId { get; set; } = "voxscheduler";

    /// <summary>Longest the start waits for the cluster, in seconds (<c>--cluster-connect-timeout</c>); past it the server does not start.</summary>
    public double ClusterConnectTimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// How long a cluster execution may go without an answer from the cluster before the server
    /// reports it interrupted, in seconds (a coordinating silo that is gone never answers again).
    /// </summary>
    public double ClusterLostSeconds { get; set; } = 60;

    /// <summary>True when the server is a cluster client.</summary>
    public bool ClusterEnabled => !string.IsNullOrWhiteSpace(ClusterRedis) || !string.IsNullOrWhiteSpace(ClusterId);

    /// <summary>The connection string, read at start from the file or the environment; never bound from configuration.</summary>
    internal string? PostgresConnection { get; set; }

    /// <summary>
    /// Register the <c>test</c> namespace (sleep, spin, blob, fail, flaky): useful for demos and
    /// tests, a load generator otherwise, so off unless asked for (and bounded when on).
    /// </summary>
    public bool EnableTestOperations { get; set; }

    /// <summary>Checks the values and resolves the data root to a full path.</summary>
    public void Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(DataRoot)) problems.Add("DataRoot must be set.");
        if (Port is < 0 or > 65535) problems.Add($"Port must be between 0 and 65535, not {Port}.");
        if (MaxRequestBodyBytes < 1024) problems.Add($"MaxRequestBodyBytes must be at least 1024, not {MaxRequestBodyBytes}.");
        if (MaxProgramLength < 1) problems.Add($"MaxProgramLength must be positive, not {MaxProgramLength}.");
        if (MaxConcurrentExecutions < 1) problems.Add($"MaxConcurrentExecutions must be positive, not {MaxConcurrentExecutions}.");
        if (MaxConcurrentNodesPerExecution < 1) problems.Add($"MaxConcurrentNodesPerExecution must be positive, not {MaxConcurrentNodesPerExecution}.");
        if (!double.IsFinite(MaxExecutionSeconds) || MaxExecutionSeconds <= 0) problems.Add($"MaxExecutionSeconds must be positive, not {MaxExecutionSeconds}.");
        if (MaxConcurrentExecutionsPerClient < 1) problems.Add($"MaxConcurrentExecutionsPerClient must be positive, not {MaxConcurrentExecutionsPerClient}.");
        if (MaxOpenStores < 1) problems.Add($"MaxOpenStores must be positive, not {MaxOpenStores}.");
        if (MaxCompileNodes < 1) problems.Add($"MaxCompileNodes must be positive, not {MaxCompileNodes}.");
        if (!double.IsFinite(CompileTimeoutSeconds) || CompileTimeoutSeconds <= 0) problems.Add($"CompileTimeoutSeconds must be positive, not {CompileTimeoutSeconds}.");
        if (MaxExecutionNodes < 1) problems.Add($"MaxExecutionNodes must be positive, not {MaxExecutionNodes}.");
        if (RetentionMaxAgeSeconds is { } ra && (!double.IsFinite(ra) || ra < 0 || ra > TimeSpan.MaxValue.TotalSeconds / 2))
            problems.Add($"RetentionMaxAgeSeconds must not be negative, not {ra}.");
        if (RetentionMaxExecutionAgeSeconds is { } rh && (!double.IsFinite(rh) || rh < 0 || rh > TimeSpan.MaxValue.TotalSeconds / 2))
            problems.Add($"RetentionMaxExecutionAgeSeconds must not be negative, not {rh}.");
        if (!double.IsFinite(RetentionIntervalSeconds) || RetentionIntervalSeconds < 1 || RetentionIntervalSeconds > 86400)
            problems.Add($"RetentionIntervalSeconds must be between 1 and 86400, not {RetentionIntervalSeconds}.");
        if (RetentionMaxBytes is < 0) problems.Add($"RetentionMaxBytes must not be negative, not {RetentionMaxBytes}.");
        if (RetentionMaxExecutions is < 0) problems.Add($"RetentionMaxExecutions must not be negative, not {RetentionMaxExecutions}.");
        if (MemoryBudget < 0) problems.Add($"MemoryBudget must not be negative, not {MemoryBudget}.");
        if (MaxWorkers < 0) problems.Add($"MaxWorkers must not be negative, not {MaxWorkers}.");
        if (RetainFinishedBytes < 1) problems.Add($"RetainFinishedBytes must be positive, not {RetainFinishedBytes}.");
        if (RetainFinishedExecutions < 1) problems.Add($"RetainFinishedExecutions must be positive, not {RetainFinishedExecutions}.");
        if (!PostgresEnabled && AllowedBackends is { } allowed && allowed.Contains(PostgresBackendName, StringComparer.OrdinalIgnoreCase))
            problems.Add("AllowedBackends lists postgres, but the server has no PostgreSQL store: start it with --postgres (connection string in VOXSCHEDULER_POSTGRES) or --postgres-file <file>.");
        if (ClusterEnabled && (string.IsNullOrWhiteSpace(ClusterRedis) || string.IsNullOrWhiteSpace(ClusterId)))
            problems.Add("A cluster client needs both --cluster-redis <host:port> and --cluster-id <id>.");
        if (ClusterId is { Length: > 256 }) problems.Add($"ClusterId must be at most 256 characters, not {ClusterId.Length}.");
        if (string.IsNullOrWhiteSpace(ClusterServiceId)) problems.Add("ClusterServiceId must not be empty.");
        if (!double.IsFinite(ClusterConnectTimeoutSeconds) || ClusterConnectTimeoutSeconds < 1 || ClusterConnectTimeoutSeconds > 600)
            problems.Add($"ClusterConnectTimeoutSeconds must be between 1 and 600, not {ClusterConnectTimeoutSeconds}.");
        if (!double.IsFinite(ClusterLostSeconds) || ClusterLostSeconds < 5 || ClusterLostSeconds > 86400)
            problems.Add($"ClusterLostSeconds must be between 5 and 86400, not {ClusterLostSeconds}.");
        if (!System.Net.IPAddress.TryParse(BindAddress, out _) && !string.Equals(BindAddress, "localhost", StringComparison.OrdinalIgnoreCase))
            problems.Add($"BindAddress must be an IP address or 'localhost', not '{BindAddress}'.");
        if (problems.Count > 0)
            throw new InvalidOperationException("Invalid server options: " + string.Join(" ", problems));
    }
}
