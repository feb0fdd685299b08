using System.Management.Automation;
using VoxScheduler.Cluster.Client;
using VoxScheduler.Cmdlets.Dags;
using VoxScheduler.Cmdlets.Hosting;
using VoxScheduler.Cmdlets.Output;
using VoxScheduler.Cmdlets.Provider;
using VoxScheduler.Dag;

namespace VoxScheduler.Cmdlets.Commands;

/// <summary>Submit-VoxDag -Cluster: the same DAG (compiled here, so node ids are a local run's) run by a cluster's coordinator.</summary>
public sealed partial class SubmitVoxDagCommand
{
    // The settings a cluster's coordinator does not take per execution (its silos have their own).
    private static readonly string[] LocalOnlyParameters =
    [
        nameof(MaxWorkers), nameof(RetryDelay), nameof(RetryBackoffFactor), nameof(MaxRetryDelay), nameof(RetryOn), nameof(CacheSize),
        nameof(MemoryBudget), nameof(AllowWritesOutsideLocation),
    ];

    /// <summary>
    /// Runs on the cluster of this session's connection (Connect-VoxCluster): the only one, or the
    /// one named default. Results go to the connection's namespace, or to -Store (a postgres drive).
    /// </summary>
    [Parameter]
    public SwitchParameter Cluster { get; set; }

    /// <summary>Runs on the cluster of this connection (a name or a Connect-VoxCluster object); implies -Cluster.</summary>
    [Parameter]
    [ValidateNotNull]
    public object? Connection { get; set; }

    private VoxClusterConnection? _cluster;
    private StoreLocation? _clusterStore;

    private bool OnCluster => Cluster.IsPresent || MyInvocation.BoundParameters.ContainsKey(nameof(Connection));

    private void BeginCluster()
    {
        var refused = LocalOnlyParameters.Where(MyInvocation.BoundParameters.ContainsKey).Select(p => "-" + p).ToList();
        if (refused.Count > 0)
        {
            Terminate(VoxErrors.ParameterConflict, ErrorCategory.InvalidArgument, null,
                $"{string.Join(", ", refused)} cannot be used with -Cluster: a cluster's coordinator takes -MaxConcurrency, -MaxRetries, -NodeTimeout, -Codec, -NoCompression " +
                "and -StreamingThreshold per execution; worker caps, caches, memory budgets and retry delays are its silos' own settings, and save goals do not run there.");
        }

        _cluster = ResolveConnection();
        if (Store is null)
        {
            _clusterStore = _cluster.DefaultStore;
            return;
        }

        try
        {
            _clusterStore = ResolveStore(Store);
        }
        catch (Exception e) when (e is ArgumentException or ItemNotFoundException or System.Management.Automation.DriveNotFoundException or ProviderNotFoundException)
        {
            Terminate(VoxErrors.StoreUnavailable, ErrorCategory.InvalidArgument, Store, $"Cannot use '{Store}' as a store: {e.Message}", e);
        }

        if (_clusterStore!.Backend != VoxStoreProvider.PostgresBackendName)
        {
            Terminate(VoxErrors.ParameterConflict, ErrorCategory.InvalidArgument, Store,
                $"A cluster stores results in its PostgreSQL database: with -Cluster, -Store names a postgres drive (New-PSDrive -PSProvider VoxStore -Backend postgres), not the {_clusterStore.Backend} store '{_clusterStore.Path}'. Without -Store the connection's namespace '{_cluster.Namespace}' is used.");
        }
    }

    private VoxClusterConnection ResolveConnection()
    {
        var given = Connection is PSObject ps ? ps.BaseObject : Connection;
        switch (given)
        {
            case VoxClusterConnection { IsConnected: true } connection:
                return connection;
            case VoxClusterConnection closed:
                Terminate(VoxErrors.ClusterNotConnected, ErrorCategory.ConnectionError, closed, $"The connection '{closed.Name}' was closed; Connect-VoxCluster again.");
                break;
            case null:
                if (ClusterConnections.Default(out var why) is { } only) return only;
                Terminate(VoxErrors.ClusterNotConnected, ErrorCategory.ConnectionError, null, why);
                break;
            default:
                var name = given.ToString() ?? string.Empty;
                if (ClusterConnections.Find(name) is { } named) return named;
                var names = ClusterConnections.All.Count == 0 ? "none" : string.Join(", ", ClusterConnections.All.Select(c => c.Name));
                Terminate(VoxErrors.ClusterNotConnected, ErrorCategory.ObjectNotFound, name,
                    $"This session has no cluster connection named '{name}' (it has: {names}). Connect-VoxCluster -Name {name} makes one.");
                break;
        }

        throw new InvalidOperationException("unreachable");
    }

    // The execution's write options as a local run takes them from the same parameters (null: none given, the engine's defaults).
    private Storage.ResultWriteOptions? WriteOptionsGiven(Dictionary<string, object> given)
    {
        if (!given.ContainsKey(nameof(NoCompression)) && !given.ContainsKey(nameof(Codec)) && !given.ContainsKey(nameof(StreamingThreshold))) return null;
        return new Storage.ResultWriteOptions
        {
            Compression = _config!.Compression,
            CompressionCodec = _config.CompressionCodec,
            StreamingThreshold = _config.StreamingThreshold,
        };
    }

    private void RunOnCluster(DagInput input)
    {
        var cluster = _cluster!;
        var location = _clusterStore!;
        if (input.Dag.Goals.FirstOrDefault(g => g.Kind == GoalKind.Save) is { } save)
        {
            // A save goal writes where the coordinating silo runs, not where this session is.
            Error(VoxErrors.NotSupported, ErrorCategory.NotImplemented, input.Target,
                $"Save goals (here '{save.Name}') cannot run on a cluster: the file would be written on the coordinating silo's machine. Print the value instead and write it here with Save-VoxResult.");
            return;
        }

        if (ClusterDagCheck.ImpureOperations(input.Dag, VoxEngineHost.Operations) is { Count: > 0 } impure)
        {
            // They run on the coordinating silo: a relative path would resolve in the silo's folder, an absolute one on the silo's machine.
            Error(VoxErrors.NotSupported, ErrorCategory.NotImplemented, input.Target,
                $"{string.Join(", ", impure)} cannot run on a cluster: {(impure.Count == 1 ? "it reads" : "they read")} files or the outside world, and would read the coordinating silo's, not this session's. Run the program here (without -Cluster), or keep its data in the store.");
            return;
        }

        if (Name is not null && (ClusterConnections.IsNameRunning(Name) || FindLive(Name) is { Completion.IsCompleted: false }))
        {
            Error(VoxErrors.ExecutionNameTaken, ErrorCategory.ResourceExists, Name, $"An execution named '{Name}' is still running in this session; choose another -Name.");
            return;
        }

        if (!cluster.IsConnected)
        {
            Error(VoxErrors.ClusterNotConnected, ErrorCategory.ConnectionError, cluster, $"The connection '{cluster.Name}' was closed; Connect-VoxCluster again.");
            return;
        }

        var store = OpenStore(location);
        var given = MyInvocation.BoundParameters;
        var options = new ClusterSubmitOptions
        {
            StoreNamespace = location.Path,
            Name = Name,
            MaxConcurrency = given.ContainsKey(nameof(MaxConcurrency)) ? MaxConcurrency : 0,
            MaxRetries = given.ContainsKey(nameof(MaxRetries)) ? MaxRetries : null,
            NodeTimeout = given.ContainsKey(nameof(NodeTimeout)) ? NodeTimeout : null,
            WriteOptions = WriteOptionsGiven(given),
            Source = input.Source is { Length: > VoxClusterClient.MaxSourceChars } source ? source[..VoxClusterClient.MaxSourceChars] : input.Source,
            MaxNodes = _config!.MaxNodes,
        };

        ClusterExecution remote;
        try
        {
            remote = Block(cluster.Client.SubmitDagAsync(input.Dag, options, StopToken));
        }
        catch (ValidationException e)
        {
            foreach (var record in VoxErrors.FromValidation(e, VoxErrors.DagInvalid, input.Target)) WriteError(record);
            return;
        }
        catch (Exception e) when (e is DynamicSchedulerException or ArgumentException)
        {
            WriteError(VoxErrors.FromException(e, input.Target));
            return;
        }
        catch (Exception e) when (e is not PipelineStoppedException and not OperationCanceledException)
        {
            Error(VoxErrors.ClusterUnavailable, ErrorCategory.ConnectionError, input.Target, $"Cluster '{cluster.ClusterId}' did not take the submission: {e.Message}", e);
            return;
        }

        // Shown as the settings of the execution; the coordinator applies them (0 concurrency: every slot of the cluster).
        var config = _config! with
        {
            StorageBackend = location.Backend,
            StoragePath = location.Path,
            MaxConcurrentNodes = options.MaxConcurrency > 0 ? options.MaxConcurrency : _config.MaxConcurrentNodes,
        };
        var execution = new RemoteExecution(remote, input.Dag, config, Name, new RemoteExecutionOptions { Store = store });
        ClusterConnections.Track(execution, cluster);
        WriteVerbose($"Cluster '{cluster.ClusterId}' runs it, coordinated by silo {remote.Coordinator}.");
        Emit(execution, location, input);
    }
}
