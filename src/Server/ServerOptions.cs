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

    /// <summary>When set, every <c>/api</c> request must carry it in the <c>X-Api-Key</c> header.</summary>
    public string? ApiKey { get; set; }

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

    /// <summary>Executions running at once; more are refused with 429 until one ends.</summary>
    public int MaxConcurrentExecutions { get; set; } = 16;

    /// <summary>Nodes running at once across all executions (0: the scheduler's default).</summary>
    public int MaxWorkers { get; set; }

    /// <summary>Largest <c>max_concurrent_nodes</c> a request may ask for.</summary>
    public int MaxConcurrentNodesPerExecution { get; set; } = 64;

    /// <summary>Binary goal values up to this size are inlined as base64; larger ones only get a download link.</summary>
    public long MaxInlineBinaryBytes { get; set; } = 1024 * 1024;

    /// <summary>Finished executions kept in memory for lookups.</summary>
    public int RetainFinishedExecutions { get; set; } = 256;

    /// <summary>Storage backends requests may choose (empty: sqlite, filesystem, hybrid and none).</summary>
    /// <remarks>Null by default because the configuration binder appends to a pre-filled array instead of replacing it.</remarks>
    public string[]? AllowedBackends { get; set; }

    /// <summary>The backends requests may choose.</summary>
    public IReadOnlyList<string> EffectiveBackends =>
        AllowedBackends is { Length: > 0 } chosen ? chosen : ["sqlite", "filesystem", "hybrid", "none"];

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
        if (MaxCompileNodes < 1) problems.Add($"MaxCompileNodes must be positive, not {MaxCompileNodes}.");
        if (!double.IsFinite(CompileTimeoutSeconds) || CompileTimeoutSeconds <= 0) problems.Add($"CompileTimeoutSeconds must be positive, not {CompileTimeoutSeconds}.");
        if (MaxExecutionNodes < 1) problems.Add($"MaxExecutionNodes must be positive, not {MaxExecutionNodes}.");
        if (MaxWorkers < 0) problems.Add($"MaxWorkers must not be negative, not {MaxWorkers}.");
        if (RetainFinishedExecutions < 1) problems.Add($"RetainFinishedExecutions must be positive, not {RetainFinishedExecutions}.");
        if (!System.Net.IPAddress.TryParse(BindAddress, out _) && !string.Equals(BindAddress, "localhost", StringComparison.OrdinalIgnoreCase))
            problems.Add($"BindAddress must be an IP address or 'localhost', not '{BindAddress}'.");
        if (problems.Count > 0)
            throw new InvalidOperationException("Invalid server options: " + string.Join(" ", problems));
    }
}
