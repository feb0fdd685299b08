using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using VoxScheduler.Cluster.Grains;
using VoxScheduler.Cluster.Postgres;
using VoxScheduler.Cluster.Worker;
using VoxScheduler.Dag;
using VoxScheduler.Language;
using VoxScheduler.Operations;
using VoxScheduler.Scheduling;
using VoxScheduler.Storage;

namespace VoxScheduler.Cluster.Coordinator;

/// <summary>
/// The scheduler inside a silo (one per silo, created on its first execution): a
/// <see cref="DynamicScheduler"/> whose node runner is the <see cref="RemoteNodeRunner"/>, with
/// the shared store of each namespace opened by the scheduler (the least recently used idle ones closed past a bound). It follows membership for as long as it lives,
/// so the free-slot pool holds the slots of the live silos only. Readiness, retries, cancellation, progress and
/// persistence decisions stay the scheduler's; the workers only run nodes.
/// </summary>
internal sealed class ClusterCoordinator : IAsyncDisposable
{
    /// <summary>Nodes in flight at most per execution (the engine's own limit).</summary>
    private const int MaxInFlight = 4096;

    private readonly IGrainFactory _grains;
    private readonly IClusterMembershipService _membership;
    private readonly CoordinatorOptions _options;
    private readonly OperationRegistry _operations;
    private readonly SemaphoreSlim _layoutGate = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly ILogger _log;
    private readonly Task _watch;

    /// <summary>Pause before asking again a silo that was active but did not answer for itself.</summary>
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private int _retrying;

    /// <summary>Longest wait for a joining silo's slot count.</summary>
    private static readonly TimeSpan InfoTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Longest a stopping silo waits for the clients of its interrupted executions to take their end (a client that is gone is not waited for longer).</summary>
    public static readonly TimeSpan HandOverTimeout = TimeSpan.FromSeconds(5);

    // Set once the silo stops: why its executions end (null while it runs).
    private volatile string? _stopping;

    // While stopping: the interrupted executions whose final snapshot no client has taken yet.
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _handOver = new(StringComparer.Ordinal);

    public ClusterCoordinator(IGrainFactory grains, IClusterMembershipService membership, ILocalSiloDetails silo, OperationRegistry operations,
        CoordinatorOptions options, ILogger<ClusterCoordinator> log, CoordinatorLifetime? lifetime = null)
    {
        _grains = grains;
        _membership = membership;
        _options = options;
        _operations = operations;
        Silo = silo.SiloAddress.ToParsableString();
        Runner = new RemoteNodeRunner(grains, $"{Silo}/{Guid.NewGuid():N}", options.MaxBatch, log);
        // The scheduler opens each namespace's store and closes the least recently used idle ones past
        // MaxOpenStores: a stranger's many namespaces do not keep handles and connections for good.
        // Its stores are opened with this silo's own connection string, not through the process-wide
        // backend registration (another silo or client in the same process may name another database).
        Scheduler = new DynamicScheduler(operations, new SchedulerOptions
        {
            MaxWorkers = 16 * 1024,
            MaxOpenStores = options.MaxIdleStores,
            // Recorded with each execution: if this silo dies, the surviving ones end its unfinished records (LostCoordinatorWatch).
            Coordinator = Silo,
            StoreOpener = (backend, location, storeOptions, cancellationToken) => OpenStoreAsync(options.ConnectionString, backend, location, storeOptions, cancellationToken),
        }) { Runner = Runner };
        _log = log;
        if (lifetime?.Attach(this) == true) _stopping = StopReason;
        _watch = Task.Run(WatchMembershipAsync);
    }

    private string StopReason =>
        $"The silo coordinating this execution ({Silo}) was stopped (host shutdown) before it finished; submit it again to resume: finished results are in the store.";

    public string Silo { get; }

    public DynamicScheduler Scheduler { get; }

    public RemoteNodeRunner Runner { get; }

    /// <summary>Compiles or parses the request, lays the slots out over the live silos and submits the execution.</summary>
    /// <exception cref="ValidationException">The program or DAG is invalid, or uses an operation the silos do not have.</exception>
    /// <exception cref="InvalidOperationException">This silo is stopping.</exception>
    public async Task<IExecution> SubmitAsync(ExecutionRequest request, CancellationToken cancellationToken)
    {
        if (_stopping is not null) throw new InvalidOperationException($"Silo {Silo} is stopping: it takes no new executions; submit to another silo of the cluster.");
        PostgresSchema.CheckNamespace(request.StoreNamespace);
        // Checked here too: a client of the cluster is not necessarily ours.
        if ((request.Program?.Length ?? 0) + (request.DagJson?.Length ?? 0) + (request.Dag?.Length ?? 0) > Client.VoxClusterClient.MaxSubmissionChars)
        {
            throw new ValidationException($"The submission is larger than {Client.VoxClusterClient.MaxSubmissionChars} characters.", "SubmissionTooLarge");
        }

        if (request.Source is { Length: > Client.VoxClusterClient.MaxSourceChars })
        {
            throw new ValidationException($"A submission's source is at most {Client.VoxClusterClient.MaxSourceChars} characters.", "SourceTooLong");
        }

        if (request.Parameters is { Count: > 1024 }) throw new ValidationException("A submission takes at most 1024 program parameters.", "TooManyParameters");
        var dag = Compile(request, cancellationToken);
        await LayoutAsync(_membership.CurrentSnapshot).ConfigureAwait(false);
        // Held for the execution's whole run (released when it ends), for the remote runner's own look-ups.
        var lease = await Scheduler.LeaseStoreAsync(PostgresBackend.Name, request.StoreNamespace, cancellationToken).ConfigureAwait(false);
        try
        {
            var execution = await SubmitAsync(request, dag, lease.Store, cancellationToken).ConfigureAwait(false);
            _ = execution.Completion.ContinueWith(_ => lease.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            // Stopped while submitting: interrupted at once, as the ones before it.
            if (_stopping is { } why) await Scheduler.InterruptAllAsync(why, CancellationToken.None).ConfigureAwait(false);
            return execution;
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }

    private async Task<IExecution> SubmitAsync(ExecutionRequest request, DagDefinition dag, IResultStore store, CancellationToken cancellationToken)
    {
        var config = new ExecutionConfig
        {
            StorageBackend = PostgresBackend.Name,
            StoragePath = request.StoreNamespace,
            MaxConcurrentNodes = Math.Clamp(request.MaxConcurrency > 0 ? request.MaxConcurrency : Runner.SlotCount * Runner.MaxBatch, 1, MaxInFlight),
            MaxRetries = request.MaxRetries >= 0 ? request.MaxRetries : new ExecutionConfig().MaxRetries,
            NodeTimeout = request.NodeTimeoutTicks > 0 ? TimeSpan.FromTicks(request.NodeTimeoutTicks) : null,
            Compression = request.Compression,
            CompressionCodec = request.CompressionCodec,
            StreamingThreshold = request.StreamingThreshold,
            // Run-time expansion (loops) happens here, on the coordinating silo: counted against the client's budget as in a local run.
            MaxNodes = request.MaxNodes > 0 ? request.MaxNodes : ExecutionConfig.DefaultMaxNodes,
        };
        config.Validate(); // before a worker sees the write options
        var context = new ClusterExecutionContext(request.StoreNamespace, store, dag.DagId, config.WriteOptions);
        var environment = new OperationEnvironment
        {
            Services = new Dictionary<string, object>(StringComparer.Ordinal) { [ClusterServiceKeys.Execution] = context },
        };
        var execution = await Scheduler.SubmitAsync(dag, config, new SubmitOptions
        {
            // The client's word for it, as a local run records it (the module: the program path or "program text"; the server: "REST program text").
            // The store is the scheduler's own (config.StoragePath in the postgres backend), shared with the lease.
            Name = request.Name, Source = request.Source ?? (request.Program is null ? "dag" : "program text"), Environment = environment,
        }, cancellationToken).ConfigureAwait(false);
        context.ExecutionId = execution.ExecutionId;
        return execution;
    }

    /// <summary>
    /// The silo is stopping (<see cref="CoordinatorLifetime"/>): no new executions; the running ones
    /// end Interrupted with the reason (their history records it), then it waits, at most
    /// <see cref="HandOverTimeout"/>, for their clients to take that end from the execution grains.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = StopReason;
        foreach (var running in Scheduler.ListExecutions().Where(x => !x.Completion.IsCompleted))
        {
            _handOver.TryAdd(running.ExecutionId, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        }

        var interrupted = await Scheduler.InterruptAllAsync(StopReason, cancellationToken).ConfigureAwait(false);
        if (interrupted.Count == 0) return;
        _log.LogWarning("Silo {Silo} is stopping: {Count} running executions end interrupted.", Silo, interrupted.Count);
        var handed = _handOver.Values.Select(t => t.Task).ToList();
        try
        {
            await Task.WhenAll(handed).WaitAsync(HandOverTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A client that does not ask now learns it from its own timeout (RemoteExecutionOptions.LostAfter), or from the history.
            _log.LogWarning("Silo {Silo} stops without every client having taken the end of its execution ({Count} not taken).", Silo, handed.Count(t => !t.IsCompleted));
        }
    }

    /// <summary>An execution grain handed an ended execution's final snapshot to a client (what a stopping silo waits for).</summary>
    public void HandedOver(string executionId)
    {
        if (_handOver.TryGetValue(executionId, out var done)) done.TrySetResult();
    }

    private DagDefinition Compile(ExecutionRequest request, CancellationToken cancellationToken)
    {
        try
        {
            if (request.Program is { } program)
            {
                return ProgramCompiler.Compile(program, _operations, new CompileOptions { Parameters = request.Parameters }, cancellationToken).Dag;
            }

            if (request.Dag is { } compact) return DagWire.Read(compact, _operations);
            if (request.DagJson is { } json) return DagJson.Parse(json, _operations);
        }
        catch (ValidationException e) when (e.Problems.Any(p => p.Code == "UnknownOperation"))
        {
            // The usual cause: an operation defined in the submitting PowerShell session (a script block), which no silo has.
            throw new ValidationException([.. e.Problems.Select(p => p.Code != "UnknownOperation" ? p : p with
            {
                Message = p.Message + " No silo of the cluster has it: only built-in and registered engine operations run on a cluster "
                    + "(an operation defined in a PowerShell session cannot run remotely).",
            })]);
        }

        throw new ValidationException("A cluster submission needs a program text or a DAG.", "EmptySubmission");
    }

    /// <summary>Follows membership for as long as the coordinator lives: a silo's slots leave the pool when it is declared dead and join when it becomes active.</summary>
    private async Task WatchMembershipAsync()
    {
        try
        {
            await foreach (var snapshot in _membership.MembershipUpdates.WithCancellation(_stop.Token).ConfigureAwait(false))
            {
                await LayoutAsync(snapshot).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Disposed.
        }
        catch (Exception e)
        {
            // Submissions still lay the slots out from the current snapshot.
            _log.LogError(e, "The coordinator stopped following membership.");
        }
    }

    /// <summary>Brings the slot pool in line with <paramref name="snapshot"/>: slots of silos no longer active leave it, those of newly active silos join.</summary>
    private async Task LayoutAsync(ClusterMembershipSnapshot snapshot)
    {
        await _layoutGate.WaitAsync().ConfigureAwait(false);
        try
        {
            var active = snapshot.Members.Values
                .Where(m => m.Status == SiloStatus.Active)
                .Select(m => m.SiloAddress.ToParsableString())
                .ToHashSet(StringComparer.Ordinal);
            active.Add(Silo); // this silo runs nodes even before membership lists it as active
            foreach (var gone in Runner.Slots.Silos.Where(s => !active.Contains(s)))
            {
                if (Runner.Slots.Remove(gone)) _log.LogWarning("Silo {Silo} left the cluster: its worker slots left the pool ({Slots} remain).", gone, Runner.SlotCount);
            }

            var joining = active.Where(s => !Runner.Slots.Contains(s)).Order(StringComparer.Ordinal).ToList();
            if (joining.Count == 0) return;
            var infos = await Task.WhenAll(joining.Select(InfoAsync)).ConfigureAwait(false);
            var missing = false;
            for (var i = 0; i < joining.Count; i++)
            {
                // A silo that just joined may not be in every silo's view of the cluster's grain types yet: its info grain
                // was then placed on another silo (which answered for itself). Asked again shortly, not at the next change.
                if (infos[i] is not { } info || info.Silo != joining[i])
                {
                    missing = true;
                }
                else if (Runner.Slots.Add(info.Silo, info.Slots))
                {
                    _log.LogInformation("Silo {Silo} joined the slot pool with {Slots} slots ({Total} in all).", info.Silo, info.Slots, Runner.SlotCount);
                }
            }

            if (missing) LayoutLater();
        }
        finally
        {
            _layoutGate.Release();
        }
    }

    /// <summary>Lays the slots out again after <see cref="RetryDelay"/> (one pending retry at a time), for silos that were active but not ready to answer.</summary>
    private void LayoutLater()
    {
        if (Interlocked.Exchange(ref _retrying, 1) == 1) return;
        _ = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(RetryDelay, _stop.Token).ConfigureAwait(false);
                Volatile.Write(ref _retrying, 0);
                await LayoutAsync(_membership.CurrentSnapshot).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                // Disposed.
            }
            catch (Exception e)
            {
                _log.LogError(e, "Laying the worker slots out again failed.");
            }
        });
    }

    /// <summary>A silo's slot count, or null when it does not answer in time (the next membership change or submission asks again).</summary>
    private async Task<SiloWorkerInfo?> InfoAsync(string silo)
    {
        try
        {
            return await _grains.GetGrain<ISiloInfoGrain>(silo).GetAsync().WaitAsync(InfoTimeout, _stop.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or SiloUnavailableException or OrleansMessageRejectionException or OperationCanceledException)
        {
            _log.LogWarning("Silo {Silo} did not say its slots ({Error}); it is left out of the slot pool for now.", silo, e.Message);
            return null;
        }
    }

    private static async ValueTask<IResultStore> OpenStoreAsync(string? connectionString, string backend, string location, StoreOptions storeOptions,
        CancellationToken cancellationToken) =>
        string.Equals(backend, PostgresBackend.Name, StringComparison.OrdinalIgnoreCase)
            ? await PostgresResultStore.OpenAsync(connectionString, location, storeOptions, cancellationToken).ConfigureAwait(false)
            : await StoreFactory.OpenAsync(backend, location, storeOptions, cancellationToken).ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _watch.ConfigureAwait(false);
        await Scheduler.DisposeAsync().ConfigureAwait(false);
        await Runner.DisposeAsync().ConfigureAwait(false);

        // The layout gate is not disposed: a retry may still be leaving it (a SemaphoreSlim holds nothing to release).
        _stop.Dispose();
    }
}
