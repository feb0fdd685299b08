using System.Collections;
using System.Text.Json;
using VoxScheduler.Cluster.Client;
using VoxScheduler.Dag;
using VoxScheduler.Language;
using VoxScheduler.Operations;
using VoxScheduler.Scheduling;
using VoxScheduler.Server.Dtos;

namespace VoxScheduler.Server;

/// <summary>
/// Cluster executions: with <c>--cluster-redis</c>/<c>--cluster-id</c>, a <c>postgres</c> request
/// is compiled here (the same checks, budgets and errors as a local run, node ids unchanged) and
/// its DAG submitted to the cluster; the run is followed through <see cref="RemoteExecution"/>.
/// </summary>
internal sealed partial class ExecutionHost
{
    /// <summary>Longest a submission to the cluster may take before the request is answered 503.</summary>
    private static readonly TimeSpan ClusterSubmitTimeout = TimeSpan.FromSeconds(30);

    /// <summary>True when a request with this config runs on the cluster.</summary>
    public bool RunsOnCluster(ExecutionConfig config) => _cluster.Enabled && IsPostgres(config.StorageBackend);

    /// <summary>
    /// The request fields a cluster execution cannot honour (the cluster takes the concurrency, the
    /// retry count, the node timeout and the write options): refused by name rather than silently ignored.
    /// </summary>
    private static void CheckClusterFields(ExecutionRequest request, List<ErrorDetail> errors)
    {
        (string Field, bool Given)[] fields =
        [
            ("retry_base_delay_seconds", request.RetryBaseDelaySeconds is not null),
            ("retry_backoff_factor", request.RetryBackoffFactor is not null),
            ("retry_max_delay_seconds", request.RetryMaxDelaySeconds is not null),
            ("retry_on", request.RetryOn is not null),
            ("cache_size", request.CacheSize is not null),
            ("memory_budget", request.MemoryBudget is not null),
        ];
        foreach (var (field, given) in fields.Where(f => f.Given))
        {
            errors.Add(new ErrorDetail
            {
                Message = $"{field} is not available for executions on the cluster (storage_backend postgres on a cluster client); "
                          + "the cluster takes max_concurrent_nodes, max_retries, retry_failed_nodes, node_timeout_seconds, timeout_seconds, "
                          + "compression, compression_codec and streaming_threshold.",
                Code = "NotOnCluster",
                Path = "$." + field,
            });
        }
    }

    /// <summary>Compiles the program here and submits its DAG to the cluster; returns the run as an <see cref="IExecution"/>.</summary>
    private async Task<IExecution> SubmitToClusterAsync(ExecutionRequest request, ExecutionConfig config, CompileOptions compileOptions, string? name,
        CancellationToken cancellationToken)
    {
        var dag = ProgramCompiler.Compile(request.Program!, Operations, compileOptions, cancellationToken).Dag;
        if (dag.Nodes.Count > config.MaxNodes)
        {
            throw new BudgetExceededException(BudgetExceededException.ExecutionNodes, config.MaxNodes, new ValidationProblem(
                "ExecutionNodeBudget", $"The DAG has {dag.Nodes.Count} nodes, more than the execution budget {BudgetExceededException.ExecutionNodes} = {config.MaxNodes}."));
        }

        CheckRunsAnywhere(dag);
        var client = _cluster.Client();
        var options = new ClusterSubmitOptions
        {
            StoreNamespace = config.StoragePath,
            Name = name,
            MaxConcurrency = config.MaxConcurrentNodes,
            MaxRetries = config.RetryFailedNodes ? config.RetryPolicy.MaxRetries : 0,
            NodeTimeout = config.NodeTimeout,
            WriteOptions = config.WriteOptions,
            Source = "REST program text", // as a local run of the server records it
            MaxNodes = config.MaxNodes,
        };
        ClusterExecution remote;
        try
        {
            remote = await client.SubmitDagAsync(dag, options, cancellationToken).WaitAsync(ClusterSubmitTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not ValidationException && e is not OperationCanceledException)
        {
            // Orleans' own failures (no gateway, a rejected message, a timeout) and a cluster that did not start it.
            throw _cluster.Unavailable($"{e.GetType().Name}: {e.Message}");
        }

        var storeNamespace = config.StoragePath;
        // The server's own bound on what it loads wins over the client's default: a goal above max_inline_bytes is streamed by the content route, as locally.
        return new RemoteExecution(remote, dag, config, name, new RemoteExecutionOptions
        {
            ReadResult = (id, ct) => ReadStoredBytesAsync(storeNamespace, id, ct), MaxValueBytes = _options.MaxInlineBytes,
            LostAfter = TimeSpan.FromSeconds(_options.ClusterLostSeconds), Follower = "The server", TrackCall = _cluster.Track, Logger = _logger,
        });
    }

    private async Task<byte[]?> ReadStoredBytesAsync(string storeNamespace, NodeId id, CancellationToken cancellationToken)
    {
        await using var lease = await Scheduler.LeaseStoreAsync(ServerOptions.PostgresBackendName, storeNamespace, cancellationToken).ConfigureAwait(false);
        return await lease.Store.RetrieveAsync(id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Refuses what would touch a file system on a silo: <c>save</c> goals and operations that read
    /// files (<c>load</c>, <c>dir</c> at run time), also inside loop bodies expanded at run time.
    /// Those run where the silo is, outside this server's data root and its confinement.
    /// </summary>
    private void CheckRunsAnywhere(DagDefinition dag)
    {
        var problems = new List<ValidationProblem>();
        foreach (var goal in dag.Goals.Where(g => g.Kind == GoalKind.Save))
        {
            problems.Add(new ValidationProblem("NotOnCluster",
                $"save '{goal.Name}' cannot run on the cluster: a silo would write it to its own file system. Run the program on this server (another storage_backend) to save files."));
        }

        var refused = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var node in dag.Nodes)
        {
            if (node.Kind != NodeKind.Operation) continue;
            CheckOperation(node.Operator, refused);
            if (node.Attributes is { } attributes) FindTemplateOperations(attributes, refused, 0);
        }

        foreach (var op in refused)
        {
            problems.Add(new ValidationProblem("NotOnCluster",
                $"{op} cannot run on the cluster: it reads files, and a silo would read its own file system, outside this server's data root. "
                + "Run the program on this server (another storage_backend), or keep its data in the store."));
        }

        if (problems.Count > 0) throw new ValidationException(problems);
    }

    private void CheckOperation(string name, SortedSet<string> refused)
    {
        // An impure operation reads files (load) or the outside world (dir, clocks); the engine runs such nodes on the coordinating silo.
        if (Operations.TryGet(name, out var operation) && operation.Purity != Purity.Pure) refused.Add(name);
    }

    /// <summary>Walks a loop body template (<c>{"o": operation, …}</c> entries, nested loops included) for the operations it instantiates.</summary>
    private void FindTemplateOperations(object? value, SortedSet<string> refused, int depth)
    {
        if (depth > 256) return; // templates are built by the compiler within its own depth bound
        switch (value)
        {
            case JsonElement element:
                FindTemplateOperations(element, refused, depth);
                return;
            case null or string or byte[] or ValueType:
                return;
            case IDictionary dictionary:
                foreach (DictionaryEntry entry in dictionary)
                {
                    if (entry.Key is "o" && entry.Value is string op) CheckOperation(op, refused);
                    else FindTemplateOperations(entry.Value, refused, depth + 1);
                }

                return;
            case IEnumerable<KeyValuePair<string, object?>> pairs:
                foreach (var (key, item) in pairs)
                {
                    if (key == "o" && item is string op) CheckOperation(op, refused);
                    else FindTemplateOperations(item, refused, depth + 1);
                }

                return;
            case IEnumerable items:
                foreach (var item in items) FindTemplateOperations(item, refused, depth + 1);
                return;
        }
    }

    private void FindTemplateOperations(JsonElement element, SortedSet<string> refused, int depth)
    {
        if (depth > 256) return;
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                if (property.Name == "o" && property.Value.ValueKind == JsonValueKind.String) CheckOperation(property.Value.GetString()!, refused);
                else FindTemplateOperations(property.Value, refused, depth + 1);
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray()) FindTemplateOperations(item, refused, depth + 1);
        }
    }
}
