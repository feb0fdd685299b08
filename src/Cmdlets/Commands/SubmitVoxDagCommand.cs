using System.Management.Automation;
using VoxScheduler.Cmdlets.Completion;
using VoxScheduler.Cmdlets.Hosting;
using VoxScheduler.Cmdlets.Jobs;
using VoxScheduler.Cmdlets.Output;
using VoxScheduler.Scheduling;

namespace VoxScheduler.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Runs a VoxLogicA program or a DAG on the process's scheduler.</para>
/// Returns the execution at once, or with -Wait one result per goal as it completes, or with
/// -AsJob a job that Get-Job, Wait-Job and Receive-Job understand.
/// </summary>
[Cmdlet(VerbsLifecycle.Submit, "VoxDag", DefaultParameterSetName = PathSet)]
[OutputType(typeof(VoxExecution))]
[OutputType(typeof(VoxResult))]
[OutputType(typeof(VoxExecutionJob))]
public sealed partial class SubmitVoxDagCommand : VoxDagInputCmdlet
{
    /// <summary>The store: a VoxStore drive (lab:) or a folder; default: the default store.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(StoreDriveCompleter))]
    public string? Store { get; set; }

    /// <summary>
    /// Most nodes of this execution in flight at once (default 4): computing, or waiting on I/O.
    /// Nodes computing are bounded for the whole process by its worker cap (-MaxWorkers); above
    /// it a warning says so.
    /// </summary>
    [Parameter]
    [ValidateRange(1, 4096)]
    public int MaxConcurrency { get; set; }

    /// <summary>
    /// Sets this PowerShell process's worker cap first: most nodes computing at once across all
    /// its executions (default 2 × cores, at least 4). Nodes waiting on I/O hold no worker. It
    /// stays set for later executions and applies to running ones.
    /// </summary>
    [Parameter]
    [ValidateRange(1, 4096)]
    public int MaxWorkers { get; set; }

    /// <summary>Retries of a failing node after its first try (default 3; 0 disables retries).</summary>
    [Parameter]
    [ValidateRange(0, 100)]
    public int MaxRetries { get; set; }

    /// <summary>Delay before the first retry of a failing node: seconds (0.5), a unit (500ms, 2s, 1m) or a TimeSpan; default 1 second.</summary>
    [Parameter]
    [VoxTimeSpan]
    public TimeSpan RetryDelay { get; set; }

    /// <summary>Each retry waits this many times longer than the one before (default 2; 1 keeps the delay constant).</summary>
    [Parameter]
    [ValidateRange(1.0, 100.0)]
    public double RetryBackoffFactor { get; set; }

    /// <summary>No retry waits longer than this: seconds, a unit (30s, 5m) or a TimeSpan; default 60 seconds.</summary>
    [Parameter]
    [VoxTimeSpan]
    public TimeSpan MaxRetryDelay { get; set; }

    /// <summary>
    /// The kinds of failure retried: Operation (an operation failed without marking the failure
    /// permanent), Timeout (past -NodeTimeout), Storage (reading or writing the store); None retries
    /// nothing. Default: all three. Validation errors and permanent failures are never retried.
    /// </summary>
    [Parameter]
    [ValidateSet("Operation", "Timeout", "Storage", "None", IgnoreCase = true)]
    public string[]? RetryOn { get; set; }

    /// <summary>A name for the execution (unique among running executions).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    /// <summary>Waits and writes one result per goal as it completes (Ctrl+C stops waiting, not the execution).</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    /// <summary>Returns a job registered with the job repository.</summary>
    [Parameter]
    public SwitchParameter AsJob { get; set; }

    /// <summary>Bytes of memory for values kept beyond their last consumer, e.g. 512MB (default 512MB; 0 keeps none).</summary>
    [Parameter]
    [ValidateRange(0, long.MaxValue)]
    public long CacheSize { get; set; }

    /// <summary>
    /// Bytes of live values (results in memory for consumers that have not run yet), e.g. 512MB,
    /// above which ready nodes that would start new work wait while those finishing work
    /// already begun run first, so a dataset peaks near the memory of a few cases (default 0: none).
    /// </summary>
    [Parameter]
    [ValidateRange(0, long.MaxValue)]
    public long MemoryBudget { get; set; }

    /// <summary>Results of at least this many bytes (e.g. 64MB) are streamed to the store and returned as a stream (default 100MB).</summary>
    [Parameter]
    [ValidateRange(1, long.MaxValue)]
    public long StreamingThreshold { get; set; }

    /// <summary>A node running longer than this fails: seconds (30), a unit (30s, 5m, 2h) or a TimeSpan (00:05:00); default: no limit.</summary>
    [Parameter]
    [VoxTimeSpan]
    public TimeSpan NodeTimeout { get; set; }

    /// <summary>Stores this execution's results uncompressed (as -Codec none).</summary>
    [Parameter]
    public SwitchParameter NoCompression { get; set; }

    /// <summary>The codec of this execution's compressed results: lz4 (fast), brotli (smaller, slower) or none (default lz4).</summary>
    [Parameter]
    [ValidateSet("lz4", "brotli", "none", IgnoreCase = true)]
    public string? Codec { get; set; }

    /// <summary>Allows save goals to write outside the current location.</summary>
    [Parameter]
    public SwitchParameter AllowWritesOutsideLocation { get; set; }

    private StoreLocation? _store;
    private ExecutionConfig? _config;

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        if (Wait && AsJob)
        {
            Terminate(VoxErrors.ParameterConflict, ErrorCategory.InvalidArgument, null, "-Wait and -AsJob cannot be used together.");
        }

        if (NoCompression && Codec is { } codec && !string.Equals(codec, "none", StringComparison.OrdinalIgnoreCase))
        {
            Terminate(VoxErrors.ParameterConflict, ErrorCategory.InvalidArgument, null, $"-NoCompression and -Codec {codec} cannot be used together (-Codec none is -NoCompression).");
        }

        try
        {
            // A setting not given keeps the engine's default ("was it given", never a sentinel value).
            var given = MyInvocation.BoundParameters;
            var defaults = new ExecutionConfig();
            _config = defaults with
            {
                MaxConcurrentNodes = given.ContainsKey(nameof(MaxConcurrency)) ? MaxConcurrency : defaults.MaxConcurrentNodes,
                RetryPolicy = RetryPolicyOf(given, defaults.RetryPolicy),
                RetryFailedNodes = !given.ContainsKey(nameof(MaxRetries)) || MaxRetries != 0,
                CacheSize = given.ContainsKey(nameof(CacheSize)) ? CacheSize.ToString(System.Globalization.CultureInfo.InvariantCulture) : defaults.CacheSize,
                StreamingThreshold = given.ContainsKey(nameof(StreamingThreshold)) ? StreamingThreshold : defaults.StreamingThreshold,
                NodeTimeout = given.ContainsKey(nameof(NodeTimeout)) ? NodeTimeout : defaults.NodeTimeout,
                MemoryBudget = given.ContainsKey(nameof(MemoryBudget)) ? MemoryBudget : defaults.MemoryBudget,
                Compression = !NoCompression,
                CompressionCodec = given.ContainsKey(nameof(Codec)) ? Codec!.ToLowerInvariant() : defaults.CompressionCodec,
            };
            _config.Validate();
        }
        catch (ValidationException e)
        {
            Terminate(VoxErrors.ConfigInvalid, ErrorCategory.InvalidArgument, null, e.Message, e);
        }

        if (OnCluster)
        {
            BeginCluster();
            return;
        }

        if (MyInvocation.BoundParameters.ContainsKey(nameof(MaxWorkers)))
        {
            Scheduler.MaxWorkers = MaxWorkers;
            WriteVerbose($"This process's worker cap is now {MaxWorkers}.");
        }

        if (Scheduler.ConcurrencyWarning(_config!) is { } warning)
        {
            WriteWarning(warning.Replace("the scheduler's MaxWorkers setting", "Submit-VoxDag -MaxWorkers", StringComparison.Ordinal));
        }

        try
        {
            _store = ResolveStore(Store);
        }
        catch (Exception e) when (e is ArgumentException or ItemNotFoundException or System.Management.Automation.DriveNotFoundException or ProviderNotFoundException)
        {
            Terminate(VoxErrors.StoreUnavailable, ErrorCategory.InvalidArgument, Store, $"Cannot use '{Store}' as a store: {e.Message}", e);
        }
    }

    /// <summary>The engine's default policy with each retry parameter that was given.</summary>
    private RetryPolicy RetryPolicyOf(Dictionary<string, object> given, RetryPolicy policy)
    {
        if (given.ContainsKey(nameof(MaxRetries))) policy = policy with { MaxRetries = MaxRetries };
        if (given.ContainsKey(nameof(RetryDelay))) policy = policy with { BaseDelay = RetryDelay };
        if (given.ContainsKey(nameof(RetryBackoffFactor))) policy = policy with { BackoffFactor = RetryBackoffFactor };
        if (given.ContainsKey(nameof(MaxRetryDelay))) policy = policy with { MaxDelay = MaxRetryDelay };
        if (given.ContainsKey(nameof(RetryOn)))
        {
            var on = FailureKinds.None;
            foreach (var kind in RetryOn ?? [])
            {
                on |= Enum.Parse<FailureKinds>(kind, ignoreCase: true);
            }

            policy = policy with { RetryOn = on };
        }

        return policy;
    }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        foreach (var input in ReadInputs())
        {
            Run(input);
        }
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        if (ReadCollectedNodes() is { } nodes)
        {
            Run(nodes);
        }
    }

    private void Run(DagInput input)
    {
        if (_cluster is not null)
        {
            RunOnCluster(input);
            return;
        }

        var config = _config! with { StorageBackend = _store!.Backend, StoragePath = _store.Path };
        var environment = CallerEnvironment() with { AllowWritesOutsideOutputRoot = AllowWritesOutsideLocation };
        var options = new SubmitOptions { Name = Name, Source = input.Source, Environment = environment };

        IExecution execution;
        try
        {
            var store = OpenStore(_store);
            execution = Block(Scheduler.SubmitAsync(input.Dag, config, options with { Store = store }, StopToken).AsTask());
        }
        catch (ValidationException e)
        {
            foreach (var record in VoxErrors.FromValidation(e, VoxErrors.DagInvalid, input.Target)) WriteError(record);
            return;
        }
        catch (Exception e) when (e is DynamicSchedulerException or ArgumentException or IOException)
        {
            WriteError(VoxErrors.FromException(e, input.Target));
            return;
        }

        Emit(execution, _store, input);
    }

    // What a submission writes, local or on a cluster alike: the execution, its job, or its results as they come.
    private void Emit(IExecution execution, StoreLocation store, DagInput input)
    {
        VoxEngineHost.RememberSource(execution.ExecutionId, input.Source);
        var result = new VoxExecution(execution, store, input.Source);
        WriteVerbose($"Submitted {input.Source} as execution {execution.ExecutionId} ({input.Dag.Nodes.Count} nodes, {input.Dag.Goals.Count} goals) on {store}.");
        if (AsJob)
        {
            var job = new VoxExecutionJob(result, MyInvocation.Line);
            JobRepository.Add(job);
            job.Start();
            WriteObject(job);
        }
        else if (Wait)
        {
            // Ctrl+C cancels only this wait (the token); the execution runs on, and stopping says so.
            SetStopNotice([execution.ExecutionId]);
            try
            {
                RunAndDrain((sink, token) => ExecutionStreaming.StreamResultsAsync(execution, sink, static _ => true, showProgress: true, -1, token));
            }
            finally
            {
                ClearStopNotice();
            }
        }
        else
        {
            WriteObject(result);
        }
    }
}
