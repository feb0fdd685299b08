using VoxScheduler.Server.Dtos;
using VoxScheduler.Storage;

namespace VoxScheduler.Server;

/// <summary>
/// Store maintenance for callers with the API key: evicting results (by age and/or total size,
/// least recently used first) and trimming execution history (by age and/or count). Both delete
/// data, so a server without an API key refuses them (403) rather than let any caller on the
/// network empty a store.
/// </summary>
internal static class MaintenanceEndpoints
{
    /// <summary>Longest age a request may name (100 years): beyond it nothing would ever be removed.</summary>
    private const double MaxAgeSeconds = 100 * 365.25 * 24 * 3600;

    public static IEndpointRouteBuilder MapMaintenanceEndpoints(this IEndpointRouteBuilder app)
    {
        var store = app.MapGroup("/api/v1/store").WithTags("Maintenance");
        store.MapPost("/evict", EvictAsync)
            .WithName("EvictResults")
            .WithSummary("Removes results unused for older_than_seconds and/or least recently used ones beyond max_total_bytes (?storage_backend=&storage_path=). Needs the API key.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        store.MapPost("/history/trim", TrimAsync)
            .WithName("TrimHistory")
            .WithSummary("Forgets finished executions that ended more than older_than_seconds ago and/or all but the newest max_executions (?storage_backend=&storage_path=); results stay. Needs the API key.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<IResult> EvictAsync(ExecutionHost host, HttpContext context, string? storage_backend, string? storage_path,
        double? older_than_seconds, long? max_total_bytes, CancellationToken cancellationToken)
    {
        RequireApiKey(host);
        var age = Age(older_than_seconds);
        if (max_total_bytes is < 0)
            throw ApiProblemException.BadRequest($"max_total_bytes must not be negative, not {max_total_bytes}.",
                [new ErrorDetail { Message = "Must not be negative.", Code = "InvalidValue", Path = "max_total_bytes" }]);
        if (age is null && max_total_bytes is null)
            throw ApiProblemException.BadRequest("Give older_than_seconds, max_total_bytes, or both.",
                [new ErrorDetail { Message = "Nothing to evict by.", Code = "Required", Path = "older_than_seconds" }]);
        var (opened, backend, path) = await host.OpenExistingStoreAsync(storage_backend, storage_path, context, cancellationToken);
        var report = await opened.EvictAsync(new EvictionPolicy(age, max_total_bytes), cancellationToken);
        return TypedResults.Ok(new MaintenanceReportDto
        {
            StorageBackend = backend,
            StoragePath = host.Mapper.StorePathText(backend, path),
            Removed = report.RemovedResults,
            RemovedBytes = report.RemovedBytes,
            Remaining = report.RemainingResults,
            RemainingBytes = report.RemainingBytes,
        });
    }

    private static async Task<IResult> TrimAsync(ExecutionHost host, HttpContext context, string? storage_backend, string? storage_path,
        double? older_than_seconds, int? max_executions, CancellationToken cancellationToken)
    {
        RequireApiKey(host);
        var age = Age(older_than_seconds);
        if (max_executions is < 0)
            throw ApiProblemException.BadRequest($"max_executions must not be negative, not {max_executions}.",
                [new ErrorDetail { Message = "Must not be negative.", Code = "InvalidValue", Path = "max_executions" }]);
        if (age is null && max_executions is null)
            throw ApiProblemException.BadRequest("Give older_than_seconds, max_executions, or both.",
                [new ErrorDetail { Message = "Nothing to trim by.", Code = "Required", Path = "older_than_seconds" }]);
        var (opened, backend, path) = await host.OpenExistingStoreAsync(storage_backend, storage_path, context, cancellationToken);
        var report = await ExecutionHistoryTrimmer.TrimAsync(opened, new HistoryRetention(age, max_executions), TimeProvider.System, cancellationToken);
        return TypedResults.Ok(new MaintenanceReportDto
        {
            StorageBackend = backend,
            StoragePath = host.Mapper.StorePathText(backend, path),
            Removed = report.RemovedExecutions,
            Remaining = report.RemainingExecutions,
        });
    }

    private static void RequireApiKey(ExecutionHost host)
    {
        // The API key middleware has already checked the key when one is configured.
        if (string.IsNullOrEmpty(host.Options.ApiKey))
            throw new ApiProblemException(StatusCodes.Status403Forbidden, "Maintenance needs an API key",
                "Evicting results and trimming history delete data, so this server accepts them only with an API key: start it with --api-key-file or VOXSERVER_APIKEY.");
    }

    private static TimeSpan? Age(double? seconds)
    {
        if (seconds is not { } s) return null;
        if (!double.IsFinite(s) || s < 0 || s > MaxAgeSeconds)
            throw ApiProblemException.BadRequest($"older_than_seconds must be between 0 and {MaxAgeSeconds:0}, not {s}.",
                [new ErrorDetail { Message = "Out of range.", Code = "InvalidValue", Path = "older_than_seconds" }]);
        return TimeSpan.FromSeconds(s);
    }
}
