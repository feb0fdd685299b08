using System.Globalization;
using VoxScheduler.Server.Dtos;
using VoxScheduler.Storage;
using VoxScheduler.Values;

namespace VoxScheduler.Server;

/// <summary>
/// /api/v1/history: what a store remembers, including executions of earlier server processes
/// (results outlive the process that computed them). The store is named by the query's
/// <c>storage_backend</c> and <c>storage_path</c>, confined to the data root like submissions.
/// </summary>
internal static class HistoryEndpoints
{
    private const int DefaultLimit = 100;
    private const int MaxLimit = 1000;

    public static IEndpointRouteBuilder MapHistoryEndpoints(this IEndpointRouteBuilder app)
    {
        var history = app.MapGroup("/api/v1/history").WithTags("History");

        history.MapGet("/", ListAsync)
            .WithName("ListStoredExecutions")
            .WithSummary("Executions recorded in a store (?storage_backend=&storage_path=&limit=), newest first.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

        history.MapGet("/{id}", DetailAsync)
            .WithName("GetStoredExecution")
            .WithSummary("One recorded execution with the stored values of its goals.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        history.MapGet("/{id}/results/{goal}/content", ContentAsync)
            .WithName("GetStoredGoalContent")
            .WithSummary("Streams a recorded goal's stored value. {goal} is the ordinal or the name.")
            .Produces(StatusCodes.Status200OK, contentType: "application/octet-stream")
            .ProducesProblem(StatusCodes.Status404NotFound);

        return app;
    }

    private static async Task<IResult> ListAsync(ExecutionHost host, HttpContext context, string? storage_backend, string? storage_path, int? limit, CancellationToken cancellationToken)
    {
        var take = limit ?? DefaultLimit;
        if (take < 1 || take > MaxLimit)
            throw ApiProblemException.BadRequest($"limit must be between 1 and {MaxLimit}, not {take}.");
        var (store, backend, path) = await host.OpenExistingStoreAsync(storage_backend, storage_path, context, cancellationToken);
        var records = new List<HistoryRecordDto>();
        await foreach (var record in store.ListExecutionsAsync(cancellationToken))
        {
            records.Add(ToDto(record));
            if (records.Count >= take) break;
        }

        return TypedResults.Ok(new HistoryListDto
        {
            StorageBackend = backend,
            StoragePath = host.Mapper.StorePathText(backend, path),
            Count = records.Count,
            Executions = records,
        });
    }

    private static async Task<IResult> DetailAsync(string id, ExecutionHost host, HttpContext context, string? storage_backend, string? storage_path, CancellationToken cancellationToken)
    {
        var (store, backend, path) = await host.OpenExistingStoreAsync(storage_backend, storage_path, context, cancellationToken);
        var record = await store.GetExecutionAsync(id, cancellationToken)
            ?? throw ApiProblemException.NotFound($"The store has no execution '{id}'.");
        var query = Query(backend, host.Mapper.StorePathText(backend, path));
        var failed = new HashSet<Dag.NodeId>();
        await foreach (var entry in store.ListNodeHistoryAsync(id, cancellationToken))
        {
            if (string.Equals(entry.Status, "Failed", StringComparison.OrdinalIgnoreCase)) failed.Add(entry.NodeId);
        }

        var goals = new List<StoredGoalDto>();
        await foreach (var named in store.ListExecutionNodesAsync(id, cancellationToken))
        {
            if (!named.IsGoal) continue;
            goals.Add(await ToGoalAsync(store, named, record, failed.Contains(named.NodeId), host.Options.MaxInlineBytes, query, cancellationToken));
        }

        return TypedResults.Ok(new HistoryDetailDto { Execution = ToDto(record), Goals = await host.Images.DescribeAsync(goals, store, cancellationToken) });
    }

    private static async Task<IResult> ContentAsync(string id, string goal, ExecutionHost host, HttpContext context, string? storage_backend, string? storage_path,
        CancellationToken cancellationToken)
    {
        var (store, _, _) = await host.OpenExistingStoreAsync(storage_backend, storage_path, context, cancellationToken);
        var byOrdinal = int.TryParse(goal, NumberStyles.None, CultureInfo.InvariantCulture, out var ordinal);
        ExecutionNodeName? found = null;
        await foreach (var named in store.ListExecutionNodesAsync(id, cancellationToken))
        {
            if (named.IsGoal && (byOrdinal ? named.Ordinal == ordinal : named.Name == goal))
            {
                found = named;
                break;
            }
        }

        if (found is null)
            throw ApiProblemException.NotFound($"The store has no goal '{goal}' of execution '{id}'.");
        return await StoredContent.ServeAsync(store, found.NodeId, hasValueInHand: false, null, $"goal-{found.Ordinal}.bin", cancellationToken)
            ?? throw ApiProblemException.NotFound($"The store holds no value for goal '{found.Name}' of execution '{id}'.");
    }

    /// <summary>
    /// What became of a goal that has no stored result, from what the store remembers: its node
    /// failed, else the execution's end says it (stopped or interrupted before the goal ran,
    /// still running, a dependency failed), else the result was evicted since.
    /// </summary>
    private static string MissingStatus(ExecutionRecord record, bool nodeFailed) =>
        nodeFailed ? "failed" : record.Status.ToLowerInvariant() switch
        {
            "interrupted" => "interrupted",
            "cancelled" => "cancelled",
            "running" or "pending" => "pending",
            "failed" => "skipped",
            _ => "missing",
        };

    private static async Task<StoredGoalDto> ToGoalAsync(IResultStore store, ExecutionNodeName named, ExecutionRecord record, bool nodeFailed, long maxInline,
        string query, CancellationToken cancellationToken)
    {
        var metadata = await store.GetMetadataAsync(named.NodeId, cancellationToken);
        var contentUrl = $"/api/v1/history/{Uri.EscapeDataString(named.ExecutionId)}/results/{named.Ordinal.ToString(CultureInfo.InvariantCulture)}/content{query}";
        if (metadata is null)
        {
            return new StoredGoalDto
            {
                Name = named.Name, Ordinal = named.Ordinal, NodeId = named.NodeId.ToString(), Available = false, Status = MissingStatus(record, nodeFailed),
            };
        }

        var omitted = metadata.DataType == DataType.LargeObject || metadata.Size > maxInline;
        object? value = null;
        if (!omitted && await store.RetrieveAsync(named.NodeId, cancellationToken) is { } bytes)
            value = ValueCodec.Decode(bytes);
        var json = omitted ? null : ValueJson.ToJson(value, maxInline, out omitted);
        return new StoredGoalDto
        {
            Name = named.Name,
            Ordinal = named.Ordinal,
            NodeId = named.NodeId.ToString(),
            Available = true,
            // Stored by this execution, or by an earlier one and reused (a constant goal is stored by whichever execution printed it first).
            Status = metadata.ExecutionId is null || metadata.ExecutionId == named.ExecutionId ? "completed" : "cached",
            StoredSize = metadata.StoredSize,
            Compression = metadata.Compression,
            CreatedAt = metadata.CreatedAt,
            DataType = DtoMapper.Text(metadata.DataType),
            Size = metadata.Size,
            Value = json,
            Encoding = !omitted && value is byte[] ? "base64" : null,
            ValueOmitted = omitted,
            ContentUrl = contentUrl,
        };
    }

    private static HistoryRecordDto ToDto(ExecutionRecord r) => new()
    {
        ExecutionId = r.ExecutionId,
        Name = r.Name,
        DagId = r.DagId,
        Status = r.Status.ToLowerInvariant(),
        SubmittedAt = r.SubmittedAt,
        CompletedAt = r.CompletedAt,
        TotalNodes = r.TotalNodes,
        // The record counts computed and cached nodes apart; completed_nodes is both (nodes done).
        CompletedNodes = r.CompletedNodes + r.CachedNodes,
        ComputedNodes = r.CompletedNodes,
        CachedNodes = r.CachedNodes,
        FailedNodes = r.FailedNodes,
        SkippedNodes = r.SkippedNodes,
        Source = r.Source,
        Error = r.Error,
        MemoryUsageBytes = r.MemoryUsageBytes,
        Coordinator = r.Coordinator,
    };

    private static string Query(string backend, string relativePath) =>
        $"?storage_backend={Uri.EscapeDataString(backend)}&storage_path={Uri.EscapeDataString(relativePath)}";
}
