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
/// the shared store of each namespace opened once. Readiness, retries, cancellation, progress and
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
    private readonly ConcurrentDictionary<string, Lazy<Task<IResultStore>>> _stores = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _layoutGate = new(1, 1);
    private string _layoutKey = string.Empty;

    public ClusterCoordinator(IGrainFactory grains, IClusterMembershipService membership, ILocalSiloDetails silo, OperationRegistry operations,
        CoordinatorOptions options, ILogger<ClusterCoordinator> log)
    {
        _grains = grains;
        _membership = membership;
        _options = options;
        _operations = operations;
        Silo = silo.SiloAddress.ToParsableString();
        Runner = new RemoteNodeRunner(grains, $"{Silo}/{Guid.NewGuid():N}", options.MaxBatch, log);
        Scheduler = new DynamicScheduler(operations, new SchedulerOptions { MaxWorkers = 16 * 1024 }) { Runner = Runner };
    }

    public string Silo { get; }

    public DynamicScheduler Scheduler { get; }

    public RemoteNodeRunner Runner { get; }

    /// <summary>Compiles or parses the request, lays the slots out over the live silos and submits the execution.</summary>
    /// <exception cref="ValidationException">The program or DAG is invalid, or uses an operation the silos do not have.</exception>
    public async Task<IExecution> SubmitAsync(ExecutionRequest request, CancellationToken cancellationToken)
    {
        PostgresSchema.CheckNamespace(request.StoreNamespace);
        // Checked here too: a client of the cluster is not necessarily ours.
        if ((request.Program?.Length ?? 0) + (request.DagJson?.Length ?? 0) > Client.VoxClusterClient.MaxSubmissionChars)
        {
            throw new ValidationException($"The submission is larger than {Client.VoxClusterClient.MaxSubmissionChars} characters.", "SubmissionTooLarge");
        }

        if (request.Parameters is { Count: > 1024 }) throw new ValidationException("A submission takes at most 1024 program parameters.", "TooManyParameters");
        var dag = Compile(request, cancellationToken);
        await LayoutAsync().ConfigureAwait(false);
        var store = await StoreAsync(request.StoreNamespace).ConfigureAwait(false);
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
        };
        config.Validate(); // before a worker sees the write options
        var context = new ClusterExecutionContext(request.StoreNamespace, store, dag.DagId, config.WriteOptions);
        var environment = new OperationEnvironment
        {
            Services = new Dictionary<string, object>(StringComparer.Ordinal) { [ClusterServiceKeys.Execution] = context },
        };
        var execution = await Scheduler.SubmitAsync(dag, config, new SubmitOptions
        {
            Name = request.Name, Source = request.Program is null ? "cluster DAG" : "cluster program", Environment = environment, Store = store,
        }, cancellationToken).ConfigureAwait(false);
        context.ExecutionId = execution.ExecutionId;
        return execution;
    }

    private DagDefinition Compile(ExecutionRequest request, CancellationToken cancellationToken)
    {
        try
        {
            if (request.Program is { } program)
            {
                return ProgramCompiler.Compile(program, _operations, new CompileOptions { Parameters = request.Parameters }, cancellationToken).Dag;
            }

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

    /// <summary>Lays the worker slots out over the live silos when membership changed since the last layout.</summary>
    private async Task LayoutAsync()
    {
        await _layoutGate.WaitAsync().ConfigureAwait(false);
        try
        {
            var silos = _membership.CurrentSnapshot.Members.Values
                .Where(m => m.Status == SiloStatus.Active)
                .Select(m => m.SiloAddress.ToParsableString())
                .Order(StringComparer.Ordinal)
                .ToList();
            if (!silos.Contains(Silo)) silos.Add(Silo); // this silo runs nodes even before membership lists it as active
            var key = string.Join(";", silos);
            if (key == _layoutKey && Runner.SlotCount > 0) return;
            var infos = await Task.WhenAll(silos.Select(s => _grains.GetGrain<ISiloInfoGrain>(s).GetAsync())).ConfigureAwait(false);
            Runner.Layout([.. infos.Select(i => (i.Silo, i.Slots))]);
            _layoutKey = key;
        }
        finally
        {
            _layoutGate.Release();
        }
    }

    private Task<IResultStore> StoreAsync(string storeNamespace)
    {
        var lazy = _stores.GetOrAdd(storeNamespace, ns => new Lazy<Task<IResultStore>>(async () =>
            await PostgresResultStore.OpenAsync(_options.ConnectionString, ns, new StoreOptions(), CancellationToken.None).ConfigureAwait(false)));
        var task = lazy.Value;
        if (task.IsFaulted || task.IsCanceled) _stores.TryRemove(new KeyValuePair<string, Lazy<Task<IResultStore>>>(storeNamespace, lazy));
        return task;
    }

    public async ValueTask DisposeAsync()
    {
        await Scheduler.DisposeAsync().ConfigureAwait(false);
        await Runner.DisposeAsync().ConfigureAwait(false);
        foreach (var lazy in _stores.Values)
        {
            if (!lazy.IsValueCreated) continue;
            try
            {
                await (await lazy.Value.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
            }
            catch (StorageException)
            {
                // Never opened.
            }
        }

        _layoutGate.Dispose();
    }
}
