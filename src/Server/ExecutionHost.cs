using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using VoxScheduler.Cluster.Client;
using VoxScheduler.Hosting;
using VoxScheduler.Language;
using VoxScheduler.Operations;
using VoxScheduler.Scheduling;
using VoxScheduler.Server.Dtos;
using VoxScheduler.Storage;

namespace VoxScheduler.Server;

/// <summary>
/// The server's one engine: a single <see cref="DynamicScheduler"/> for the process (stores are
/// opened once per backend and path and shared through it), the admission limit, and the
/// folders chosen for each execution.
/// </summary>
internal sealed partial class ExecutionHost : IAsyncDisposable
{
    private const string DefaultStoragePath = "./voxlogica_storage";
    private readonly ConcurrentDictionary<string, ServerRun> _runs = new(StringComparer.Ordinal);
    private readonly ServerOptions _options;
    private readonly ILogger<ExecutionHost> _logger;
    private readonly ClusterConnection _cluster;

    public ExecutionHost(IOptions<ServerOptions> options, ILogger<ExecutionHost> logger, ClusterConnection cluster)
    {
        _options = options.Value;
        _logger = logger;
        _cluster = cluster;
        DataRoot = Path.GetFullPath(_options.DataRoot);
        Directory.CreateDirectory(DataRoot);
        Directory.CreateDirectory(OutputsRoot);
        RemoveEmptyOutputFolders();
        Operations = OperationCatalog.Create(_options.EnableTestOperations, DataRoot);
        var schedulerOptions = new SchedulerOptions
        {
            RetainFinishedExecutions = _options.RetainFinishedExecutions, RetainFinishedBytes = _options.RetainFinishedBytes, MaxOpenStores = _options.MaxOpenStores,
            Retention = _options.Retention(),
        };
        if (_options.MaxWorkers > 0) schedulerOptions = schedulerOptions with { MaxWorkers = _options.MaxWorkers };
        Scheduler = new DynamicScheduler(Operations, schedulerOptions);
        Integration = new VoxLogicaIntegration(Scheduler);
        Admission = new ExecutionAdmission(_options.MaxConcurrentExecutions, _options.MaxConcurrentExecutionsPerClient);
        Mapper = new DtoMapper(_options, DataRoot);
    }

    /// <summary>When the engine was created (the server's start).</summary>
    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    /// <summary>Full path of the folder every store and output lives under.</summary>
    public string DataRoot { get; }

    /// <summary>Parent of the per-execution output folders.</summary>
    public string OutputsRoot => Path.Combine(DataRoot, "outputs");

    public OperationRegistry Operations { get; }

    public DynamicScheduler Scheduler { get; }

    public VoxLogicaIntegration Integration { get; }

    public ExecutionAdmission Admission { get; }

    public DtoMapper Mapper { get; }

    public ServerOptions Options => _options;

    /// <summary>Checks the request, compiles the program and starts it; returns at once.</summary>
    /// <param name="client">Who asks (its API key or its remote address), for the per-client cap.</param>
    public async Task<ServerRun> SubmitAsync(ExecutionRequest request, string client, CancellationToken cancellationToken)
    {
        var (config, storagePath) = BuildConfig(request);
        var timeout = TimeSpan.FromSeconds(request.TimeoutSeconds ?? _options.MaxExecutionSeconds);
        var name = string.IsNullOrWhiteSpace(request.Name) ? null : request.Name.Trim();
        if (name is { Length: > 200 })
            throw ApiProblemException.BadRequest("name must be at most 200 characters.");
        if (name is not null && FindExecution(name) is { } existing && !existing.Status.IsTerminal())
            throw new ApiProblemException(StatusCodes.Status409Conflict, "Name in use",
                $"An execution named '{name}' is still running ({existing.ExecutionId}).");

        if (!Admission.TryEnterClient(client))
            throw new ApiProblemException(StatusCodes.Status429TooManyRequests, "Too many executions",
                $"A client may run at most {Admission.PerClientLimit} executions at once; retry when one of yours has finished.")
            { RetryAfterSeconds = 1 };
        if (!Admission.TryEnter())
        {
            Admission.ReleaseClient(client);
            throw new ApiProblemException(StatusCodes.Status429TooManyRequests, "Too many executions",
                $"The server runs at most {Admission.Limit} executions at once; retry when one has finished.")
            { RetryAfterSeconds = 1 };
        }

        var outputFolder = Path.Combine(OutputsRoot, Guid.NewGuid().ToString("n"));
        IExecution execution;
        try
        {
            Directory.CreateDirectory(outputFolder);
            var compileOptions = new CompileOptions
            {
                WorkingDirectory = outputFolder,
                OutputRoot = outputFolder,
                AllowWritesOutsideOutputRoot = false,
                ReadRoot = DataRoot,
                MaxNodes = _options.MaxCompileNodes,
                Timeout = TimeSpan.FromSeconds(_options.CompileTimeoutSeconds),
            };
            var submitOptions = new SubmitOptions
            {
                Name = name,
                Source = "REST program text",
                Environment = new OperationEnvironment
                {
                    WorkingDirectory = outputFolder,
                    OutputRoot = outputFolder,
                    AllowWritesOutsideOutputRoot = false,
                    ReadRoot = DataRoot,
                },
            };
            execution = RunsOnCluster(config)
                ? await SubmitToClusterAsync(request, config, compileOptions, name, cancellationToken)
                : await Integration.SubmitProgramAsync(request.Program!, compileOptions, config, submitOptions, cancellationToken);
        }
        catch
        {
            Admission.Release();
            Admission.ReleaseClient(client);
            TryDeleteEmptyFolder(outputFolder);
            throw;
        }

        // The wall-clock limit: nothing holds a slot for longer, whatever its nodes do.
        var deadline = new CancellationTokenSource(timeout);
        var registration = deadline.Token.Register(execution.Cancel);
        var finished = execution.Completion.ContinueWith(t =>
        {
            registration.Dispose();
            deadline.Dispose();
            Admission.Release();
            Admission.ReleaseClient(client);
            TryDeleteEmptyFolder(outputFolder);
            return t.Result;
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        var run = new ServerRun(execution, outputFolder, storagePath) { Finished = finished };
        _runs[execution.ExecutionId] = run;
        Prune();
        _logger.LogInformation("Execution {ExecutionId} submitted ({Nodes} nodes, {Goals} goals, backend {Backend}{Where})",
            execution.ExecutionId, execution.Dag.Nodes.Count, execution.Dag.Goals.Count, config.StorageBackend,
            execution is RemoteExecution c ? $", on the cluster, coordinated by {c.Coordinator}" : string.Empty);
        return run;
    }

    /// <summary>An execution of this server by id or name, or null.</summary>
    public ServerRun? Find(string idOrName)
    {
        if (_runs.TryGetValue(idOrName, out var run)) return run;
        var execution = FindExecution(idOrName);
        return execution is not null && _runs.TryGetValue(execution.ExecutionId, out run) ? run : null;
    }

    /// <summary>An execution by id or name: the scheduler's, or one of this server's runs on the cluster (running ones first).</summary>
    private IExecution? FindExecution(string idOrName) =>
        Scheduler.Find(idOrName)
        ?? _runs.Values.Where(r => r.Execution is RemoteExecution && r.Execution.Name == idOrName)
            .OrderBy(r => r.Execution.Status.IsTerminal()).ThenByDescending(r => r.Execution.SubmittedAt).FirstOrDefault()?.Execution;

    /// <summary>Cancels a run that has not ended; false when there was nothing to cancel.</summary>
    public async Task<bool> CancelAsync(ServerRun run)
    {
        if (run.Execution.Status.IsTerminal()) return false;
        if (run.Execution is not RemoteExecution cluster) return await Scheduler.CancelAsync(run.Execution.ExecutionId);
        cluster.Cancel();
        return true;
    }

    /// <summary>
    /// An existing store named by a backend and a path under the data root (defaults as for
    /// submissions), opened through the scheduler so it is shared with running executions.
    /// </summary>
    /// <remarks>The store is leased until the request ends (<paramref name="context"/>), so an idle store can be closed afterwards.</remarks>
    public async Task<(IResultStore Store, string Backend, string Path)> OpenExistingStoreAsync(string? backend, string? path, HttpContext context, CancellationToken cancellationToken)
    {
        if (IsPostgres(backend))
        {
            // A namespace in the server's database: no folder, so no confinement; the database is the server's own.
            var storeNamespace = CheckNamespace(path, "storage_path");
            var leased = await Scheduler.LeaseExistingStoreAsync(ServerOptions.PostgresBackendName, storeNamespace, cancellationToken)
                ?? throw ApiProblemException.NotFound($"There is no postgres store '{storeNamespace}' in this server's database.");
            context.Response.RegisterForDisposeAsync(leased);
            return (leased.Store, ServerOptions.PostgresBackendName, storeNamespace);
        }

        var full = PathConfinement.Resolve(DataRoot, path ?? DefaultStoragePath, "storage_path");
        // Without a backend, the one of the store already there (a folder never mixes backends).
        var name = backend?.Trim().ToLowerInvariant() ?? StoreFactory.DetectBackend(full) ?? StoreFactory.DefaultBackend;
        if (name == "none" || !_options.EffectiveBackends.Contains(name, StringComparer.OrdinalIgnoreCase))
            throw ApiProblemException.BadRequest($"storage_backend '{backend ?? name}' has no store here (one of {string.Join(", ", _options.EffectiveBackends.Where(b => b != "none"))}).",
                [new ErrorDetail { Message = "Unknown or memory-only backend.", Code = "InvalidValue", Path = "storage_backend" }]);
        // Reading must not create: a store is only ever created by an execution.
        var lease = await Scheduler.LeaseExistingStoreAsync(name, full, cancellationToken)
            ?? throw ApiProblemException.NotFound($"There is no {name} store at storage_path '{path ?? DefaultStoragePath}'.");
        context.Response.RegisterForDisposeAsync(lease);
        return (lease.Store, name, full);
    }

    /// <summary>
    /// The store a finished or running execution of this server wrote to, leased until the request
    /// ends (the execution's own reference may be closed once it is idle); null for memory-only runs.
    /// </summary>
    public async Task<IResultStore?> LeaseRunStoreAsync(ServerRun run, HttpContext context, CancellationToken cancellationToken)
    {
        if (run.StoragePath is null) return null;
        var lease = await Scheduler.LeaseStoreAsync(run.Execution.Config.StorageBackend, run.StoragePath, cancellationToken);
        context.Response.RegisterForDisposeAsync(lease);
        return lease.Store;
    }

    /// <summary>Describes large stored images (kind, size, spacing, min, max) in result listings.</summary>
    public LargeImageListing Images { get; } = new();

    /// <summary>The results of a run, its large stored images described from the store (leased for the request) instead of omitted.</summary>
    public async Task<ExecutionResultDto> ResultWithImagesAsync(ServerRun run, HttpContext context, CancellationToken cancellationToken)
    {
        var result = Mapper.ToResult(run);
        if (!result.Goals.Any(g => g.ValueOmitted && g.DataType == "large_object")) return result;
        var store = await LeaseRunStoreAsync(run, context, cancellationToken);
        return result with { Goals = await Images.DescribeAsync(result.Goals, store, cancellationToken) };
    }

    /// <summary>Cancels every execution that has not ended (server shutdown).</summary>
    public void CancelAll()
    {
        foreach (var run in _runs.Values)
        {
            if (!run.Execution.Status.IsTerminal()) run.Execution.Cancel();
        }
    }

    /// <summary>This server's executions, newest first.</summary>
    public IReadOnlyList<ServerRun> List() =>
        _runs.Values.OrderByDescending(r => r.Execution.SubmittedAt).ThenByDescending(r => r.Execution.ExecutionId, StringComparer.Ordinal).ToList();

    /// <summary>The execution config of a request, with its store folder confined to the data root.</summary>
    public (ExecutionConfig Config, string? StoragePath) BuildConfig(ExecutionRequest request)
    {
        if (request.Program is null)
            throw ApiProblemException.BadRequest("The request has no program.",
                [new ErrorDetail { Message = "program is required.", Code = "Required", Path = "$.program" }]);
        if (request.Program.Length > _options.MaxProgramLength)
            throw new ApiProblemException(StatusCodes.Status413PayloadTooLarge, "Program too large",
                $"The program has {request.Program.Length} characters; this server accepts at most {_options.MaxProgramLength}.");

        var errors = new List<ErrorDetail>();
        // Without storage_backend: the backend of the store already in storage_path, else hybrid
        // (or the first backend this server allows), resolved below once the path is known.
        var requested = request.StorageBackend?.Trim().ToLowerInvariant();
        var backend = requested ?? StoreFactory.AutoBackend;
        if (IsPostgres(requested) && !_options.PostgresEnabled)
            errors.Add(PostgresNotOffered("$.storage_backend"));
        else if (requested is not null && !_options.EffectiveBackends.Contains(requested, StringComparer.OrdinalIgnoreCase))
            errors.Add(new ErrorDetail
            {
                Message = $"storage_backend '{request.StorageBackend}' is not one of {string.Join(", ", _options.EffectiveBackends)}.",
                Code = "InvalidValue",
                Path = "$.storage_backend",
            });
        var maxNodes = request.MaxConcurrentNodes ?? 4;
        if (maxNodes < 1 || maxNodes > _options.MaxConcurrentNodesPerExecution)
            errors.Add(new ErrorDetail
            {
                Message = $"max_concurrent_nodes must be between 1 and {_options.MaxConcurrentNodesPerExecution}, not {maxNodes}.",
                Code = "InvalidValue",
                Path = "$.max_concurrent_nodes",
            });
        if (request.TimeoutSeconds is { } limit && (!double.IsFinite(limit) || limit <= 0 || limit > _options.MaxExecutionSeconds))
            errors.Add(new ErrorDetail
            {
                Message = $"timeout_seconds must be positive and at most {_options.MaxExecutionSeconds} (this server's limit), not {limit}.",
                Code = "InvalidValue",
                Path = "$.timeout_seconds",
            });
        if (request.MemoryBudget is < 0)
            errors.Add(new ErrorDetail { Message = $"memory_budget must not be negative, not {request.MemoryBudget}.", Code = "InvalidValue", Path = "$.memory_budget" });
        if (request.NodeTimeoutSeconds is { } t && (!double.IsFinite(t) || t <= 0 || t > TimeSpan.MaxValue.TotalSeconds / 2))
            errors.Add(new ErrorDetail { Message = $"node_timeout_seconds must be positive, not {t}.", Code = "InvalidValue", Path = "$.node_timeout_seconds" });
        var retry = RetryPolicyOf(request, errors);
        if (_cluster.Enabled && IsPostgres(requested)) CheckClusterFields(request, errors);
        if (errors.Count > 0)
            throw ApiProblemException.BadRequest(errors.Count == 1 ? errors[0].Message : $"{errors.Count} fields are invalid.", errors);

        string? storagePath = null;
        if (IsPostgres(backend))
        {
            storagePath = CheckNamespace(request.StoragePath, "$.storage_path");
        }
        else if (backend != "none")
        {
            storagePath = PathConfinement.Resolve(DataRoot, request.StoragePath ?? DefaultStoragePath, "storage_path");
            if (requested is null)
            {
                var stores = _options.EffectiveBackends.Where(b => b != "none").ToList();
                backend = StoreFactory.DetectBackend(storagePath)
                    ?? (stores.Contains(StoreFactory.DefaultBackend) ? StoreFactory.DefaultBackend : stores.FirstOrDefault() ?? "none");
                if (backend != "none" && !stores.Contains(backend))
                    throw ApiProblemException.BadRequest($"storage_path holds a {backend} store, a backend this server does not allow.",
                        [new ErrorDetail { Message = $"The store at storage_path is {backend}; allowed: {string.Join(", ", stores)}.", Code = "InvalidValue", Path = "$.storage_path" }]);
                if (backend == "none") storagePath = null;
            }
        }

        var defaults = new ExecutionConfig();
        var config = new ExecutionConfig
        {
            MaxConcurrentNodes = maxNodes,
            StorageBackend = backend,
            StoragePath = storagePath ?? DataRoot,
            RetryPolicy = retry,
            RetryFailedNodes = request.RetryFailedNodes ?? defaults.RetryFailedNodes,
            CacheSize = request.CacheSize ?? defaults.CacheSize,
            MemoryBudget = request.MemoryBudget ?? _options.MemoryBudget,
            Compression = request.Compression ?? defaults.Compression,
            CompressionCodec = request.CompressionCodec ?? defaults.CompressionCodec,
            StreamingThreshold = request.StreamingThreshold ?? defaults.StreamingThreshold,
            NodeTimeout = request.NodeTimeoutSeconds is { } s ? TimeSpan.FromSeconds(s) : null,
            MaxNodes = _options.MaxExecutionNodes,
        };
        config.Validate();
        return (config, storagePath);
    }

    /// <summary>
    /// The retry policy of a request: the engine's default with each field the request gives.
    /// Seconds the engine cannot hold as a TimeSpan and unknown failure kinds are reported here
    /// (field by field, with their paths); ranges are checked by the policy's own validation.
    /// </summary>
    private static RetryPolicy RetryPolicyOf(ExecutionRequest request, List<ErrorDetail> errors)
    {
        var policy = RetryPolicy.Default;
        if (request.MaxRetries is { } retries) policy = policy with { MaxRetries = retries };
        if (Seconds(request.RetryBaseDelaySeconds, "retry_base_delay_seconds", errors) is { } delay) policy = policy with { BaseDelay = delay };
        if (request.RetryBackoffFactor is { } factor) policy = policy with { BackoffFactor = factor };
        if (Seconds(request.RetryMaxDelaySeconds, "retry_max_delay_seconds", errors) is { } cap) policy = policy with { MaxDelay = cap };
        if (request.RetryOn is { } kinds)
        {
            var on = FailureKinds.None;
            for (var i = 0; i < kinds.Count; i++)
            {
                var kind = kinds[i]?.Trim().ToLowerInvariant() switch
                {
                    "operation" => FailureKinds.Operation,
                    "timeout" => FailureKinds.Timeout,
                    "storage" => FailureKinds.Storage,
                    _ => (FailureKinds?)null,
                };
                if (kind is null)
                    errors.Add(new ErrorDetail { Message = $"retry_on[{i}] '{kinds[i]}' is not one of operation, timeout, storage.", Code = "InvalidValue", Path = $"$.retry_on[{i}]" });
                else on |= kind.Value;
            }

            policy = policy with { RetryOn = on };
        }

        return policy;
    }

    private static TimeSpan? Seconds(double? seconds, string field, List<ErrorDetail> errors)
    {
        if (seconds is not { } s) return null;
        // Beyond these the policy's own range check reports the value; TimeSpan.FromSeconds would throw first.
        if (double.IsFinite(s) && Math.Abs(s) <= RetryPolicy.MaxDelayLimit.TotalSeconds * 2) return TimeSpan.FromSeconds(s);
        errors.Add(new ErrorDetail
        {
            Message = $"{field} must be between 0 and {RetryPolicy.MaxDelayLimit.TotalSeconds:0}, not {s}.",
            Code = "InvalidValue",
            Path = "$." + field,
        });
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var run in _runs.Values)
        {
            if (run.Execution is RemoteExecution cluster) cluster.StopFollowing();
        }

        await Scheduler.DisposeAsync();
    }

    /// <summary>True for the postgres backend's name.</summary>
    public static bool IsPostgres(string? backend) =>
        string.Equals(backend?.Trim(), ServerOptions.PostgresBackendName, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The namespace a postgres request names in <c>storage_path</c> (default: the default store's
    /// name), checked: this server offers the backend, at most <see cref="ServerOptions.MaxStoreNamespaceLength"/>
    /// characters, no control characters. Any other text is a namespace, never a path.
    /// </summary>
    private string CheckNamespace(string? requested, string field)
    {
        if (!_options.PostgresEnabled) throw ApiProblemException.BadRequest(PostgresNotOffered("storage_backend").Message, [PostgresNotOffered("storage_backend")]);
        var storeNamespace = requested ?? DefaultStoreNamespace;
        string? problem = null;
        if (string.IsNullOrWhiteSpace(storeNamespace)) problem = "a postgres store namespace must not be empty";
        else if (storeNamespace.Length > ServerOptions.MaxStoreNamespaceLength)
            problem = $"a postgres store namespace is at most {ServerOptions.MaxStoreNamespaceLength} characters, not {storeNamespace.Length}";
        else if (storeNamespace.Any(char.IsControl)) problem = "a postgres store namespace may not contain control characters";
        if (problem is not null)
            throw ApiProblemException.BadRequest($"storage_path is refused: {problem}.", [new ErrorDetail { Message = problem + ".", Code = "InvalidValue", Path = field }]);
        return storeNamespace;
    }

    /// <summary>The namespace of a postgres request without <c>storage_path</c>.</summary>
    public const string DefaultStoreNamespace = "voxlogica_storage";

    private static ErrorDetail PostgresNotOffered(string field) => new()
    {
        Message = $"storage_backend 'postgres' needs the server option {ServerApp.PostgresSwitch} (connection string in {ServerApp.PostgresVariable}) or --postgres-file <file>; this server was started without it.",
        Code = "InvalidValue",
        Path = field,
    };

    private void Prune()
    {
        // Finished runs are kept as long as the scheduler keeps their executions; past that
        // bound the oldest finished ones are forgotten so memory does not grow with uptime.
        // A run the scheduler has let go of (past its count or byte bound) is let go here too:
        // holding it would pin the memory the scheduler meant to free.
        foreach (var gone in _runs.Values.Where(r => r.Execution is not RemoteExecution && r.Execution.Status.IsTerminal()
                                                     && Scheduler.Find(r.Execution.ExecutionId) is null).ToList())
        {
            _runs.TryRemove(gone.Execution.ExecutionId, out _);
        }

        // Finished cluster runs hold the compact copy of their DAG (the plan is on a silo): bounded by the same byte budget.
        var clusterBytes = 0L;
        foreach (var finished in _runs.Values.Where(r => r.Execution is RemoteExecution && r.Execution.Status.IsTerminal())
                     .OrderByDescending(r => r.Execution.SubmittedAt).ToList())
        {
            clusterBytes += ((RemoteExecution)finished.Execution).RetainedDagBytes;
            if (clusterBytes > _options.RetainFinishedBytes) _runs.TryRemove(finished.Execution.ExecutionId, out _);
        }

        var bound = _options.RetainFinishedExecutions + _options.MaxConcurrentExecutions;
        if (_runs.Count <= bound) return;
        foreach (var old in _runs.Values.Where(r => r.Execution.Status.IsTerminal())
                     .OrderBy(r => r.Execution.SubmittedAt).Take(_runs.Count - bound).ToList())
        {
            _runs.TryRemove(old.Execution.ExecutionId, out _);
        }
    }

    /// <summary>
    /// A server killed mid-run leaves the empty output folders of the runs it had started; each
    /// run's folder is removed when it ends empty, so at start every empty one is such a leftover.
    /// </summary>
    private void RemoveEmptyOutputFolders()
    {
        foreach (var folder in Directory.EnumerateDirectories(OutputsRoot))
        {
            TryDeleteEmptyFolder(folder);
        }
    }

    private void TryDeleteEmptyFolder(string folder)
    {
        try
        {
            if (Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any())
                Directory.Delete(folder);
        }
        catch (IOException e)
        {
            _logger.LogDebug(e, "Could not remove the empty output folder {Folder}", folder);
        }
        catch (UnauthorizedAccessException e)
        {
            _logger.LogDebug(e, "Could not remove the empty output folder {Folder}", folder);
        }
    }
}
