using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using VoxScheduler.Scheduling;
using VoxScheduler.Server.Dtos;

namespace VoxScheduler.Server;

/// <summary>The execution routes of /api/v1: submit, progress, cancel, list, results, content, events.</summary>
internal static class ExecutionEndpoints
{
    public static IEndpointRouteBuilder MapExecutionEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("Executions");

        api.MapPost("/execute-dynamic", ExecuteAsync)
            .WithName("ExecuteDynamic")
            .WithSummary("Runs a VoxLogicA program: synchronously (goal results) or asynchronously (execution id at once).")
            .Accepts<ExecutionRequest>("application/json")
            .Produces<ExecutionResponse>(StatusCodes.Status200OK)
            .Produces<ExecutionResponse>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        api.MapGet("/execution/{id}/progress", (string id, ExecutionHost host) =>
                TypedResults.Ok(DtoMapper.ToProgress(Require(host, id).Execution.GetProgress())))
            .WithName("GetExecutionProgress")
            .WithSummary("The progress of an execution (the specification's ExecutionProgress).")
            .ProducesProblem(StatusCodes.Status404NotFound);

        api.MapDelete("/execution/{id}", CancelAsync)
            .WithName("CancelExecution")
            .WithSummary("Cancels a running execution; 409 when it has already ended.")
            .Produces<CancelResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        api.MapGet("/executions", (ExecutionHost host) =>
            {
                var list = host.List().Select(host.Mapper.ToSummary).ToList();
                return TypedResults.Ok(new ExecutionListDto { Count = list.Count, Executions = list });
            })
            .WithName("ListExecutions")
            .WithSummary("This server's executions, newest first.");

        api.MapGet("/execution/{id}/results", async (string id, ExecutionHost host, HttpContext context, CancellationToken cancellationToken) =>
                TypedResults.Ok(await host.ResultWithImagesAsync(Require(host, id), context, cancellationToken)))
            .WithName("GetExecutionResults")
            .WithSummary("The goals of an execution in source order; finished ones with their values (bytes as base64).")
            .ProducesProblem(StatusCodes.Status404NotFound);

        api.MapGet("/execution/{id}/results/{goal}/content", ContentAsync)
            .WithName("GetGoalContent")
            .WithSummary("Streams one goal's value from the store: bytes as-is, text as UTF-8, images as .nii.gz (or ?format=png&slice=N: one axial slice, the middle by default, windowed min..max), other values as JSON. {goal} is the ordinal or the name.")
            .Produces(StatusCodes.Status200OK, contentType: "application/octet-stream")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        api.MapGet("/execution/{id}/events", EventsAsync)
            .WithName("WatchExecution")
            .WithSummary("Server-sent events: node-finished, node-retrying, goal-finished, progress, and a final execution-finished.")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream")
            .ProducesProblem(StatusCodes.Status404NotFound);

        return app;
    }

    /// <summary>Who a request comes from, for the per-client cap: the API key in force, else the remote address.</summary>
    private static string ClientOf(HttpContext context, ExecutionHost host) =>
        !string.IsNullOrEmpty(host.Options.ApiKey) ? "key" : "ip:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown");

    private static async Task<IResult> ExecuteAsync(HttpContext context, ExecutionHost host)
    {
        var request = await RequestBodyReader.ReadAsync<ExecutionRequest>(context.Request, host.Options.MaxRequestBodyBytes, context.RequestAborted);
        var run = await host.SubmitAsync(request, ClientOf(context, host), context.RequestAborted);
        var execution = run.Execution;
        var links = ExecutionLinks.For(execution.ExecutionId);
        // The process's worker cap concerns local runs only: a cluster run's nodes run on the silos' slots.
        IReadOnlyList<string>? warnings = !host.RunsOnCluster(execution.Config) && host.Scheduler.ConcurrencyWarning(execution.Config) is { } warning ? [warning] : null;
        if (request.AsyncExecution == true)
        {
            return TypedResults.Accepted(links.Progress, new ExecutionResponse
            {
                ExecutionId = execution.ExecutionId,
                Status = "submitted",
                Name = execution.Name,
                DagId = execution.DagId,
                Warnings = warnings,
                Links = links,
                Coordinator = DtoMapper.Coordinator(execution),
            });
        }

        ExecutionStatus status;
        try
        {
            status = await run.Finished.WaitAsync(context.RequestAborted);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // Nobody is waiting for a synchronous execution any more: stop spending workers on it.
            execution.Cancel();
            throw;
        }

        return TypedResults.Ok(new ExecutionResponse
        {
            ExecutionId = execution.ExecutionId,
            Status = DtoMapper.Text(status),
            Name = execution.Name,
            DagId = execution.DagId,
            Result = await host.ResultWithImagesAsync(run, context, context.RequestAborted),
            Warnings = warnings,
            Links = links,
            Coordinator = DtoMapper.Coordinator(execution),
        });
    }

    private static async Task<IResult> CancelAsync(string id, ExecutionHost host, CancellationToken cancellationToken)
    {
        var run = Require(host, id);
        var execution = run.Execution;
        if (!await host.CancelAsync(run))
            throw AlreadyFinished(execution);

        // Operations see their token at once; wait briefly so the answer usually states the end.
        ExecutionStatus final;
        try
        {
            final = await run.Finished.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
        }
        catch (TimeoutException)
        {
            return TypedResults.Ok(new CancelResponse { ExecutionId = execution.ExecutionId, Status = "cancelling" });
        }

        return TypedResults.Ok(new CancelResponse { ExecutionId = execution.ExecutionId, Status = DtoMapper.Text(final) });
    }

    private static async Task<IResult> ContentAsync(string id, string goal, ExecutionHost host, HttpContext context, CancellationToken cancellationToken)
    {
        var run = Require(host, id);
        var goals = run.Execution.GetGoalResults();
        var result = int.TryParse(goal, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ordinal)
            ? goals.FirstOrDefault(g => g.Ordinal == ordinal)
            : goals.FirstOrDefault(g => g.Name == goal);
        if (result is null)
            throw ApiProblemException.NotFound($"Execution {run.Execution.ExecutionId} has no goal '{goal}' (use its ordinal or its name).");
        if (!result.Succeeded)
            throw new ApiProblemException(StatusCodes.Status409Conflict, "No value",
                result.IsFinished
                    ? $"Goal '{result.Name}' has no value: it is {DtoMapper.Text(result.Status)}{(result.Error is { } e ? $" ({e})" : string.Empty)}."
                    : $"Goal '{result.Name}' has no value yet: it is {DtoMapper.Text(result.Status)}.");

        // Memory-only executions (or a store without the result) serve the value in hand.
        var image = ImageContent.FromQuery(context.Request.Query);
        var store = await host.LeaseRunStoreAsync(run, context, cancellationToken);
        return await StoredContent.ServeAsync(store, result.NodeId, hasValueInHand: true, result.Value, DownloadName(result, ".bin"), cancellationToken, image)
            ?? throw ApiProblemException.NotFound($"Goal '{result.Name}' has no stored value.");
    }

    private static async Task EventsAsync(string id, HttpContext context, ExecutionHost host, IOptions<JsonOptions> json)
    {
        var run = Require(host, id);
        var cancellationToken = context.RequestAborted;
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        await response.Body.FlushAsync(cancellationToken);

        var sequence = 0;
        var finished = false;
        try
        {
            await foreach (var e in run.Execution.WatchAsync(replay: true, cancellationToken))
            {
                // The end is told once the server has released the run's slot, so a client's next submission never races it.
                if (e.Kind == ExecutionEventKind.ExecutionFinished) await run.Finished.WaitAsync(cancellationToken);
                await WriteEventAsync(response, host.Mapper.ToEvent(e), ++sequence, json.Value.SerializerOptions, cancellationToken);
                if (e.Kind == ExecutionEventKind.ExecutionFinished)
                {
                    finished = true;
                    break;
                }
            }

            if (!finished)
            {
                // The stream promises a final event; state the end ourselves if it closed without one.
                var status = await run.Execution.Completion.WaitAsync(cancellationToken);
                var progress = run.Execution.GetProgress();
                await WriteEventAsync(response, new ExecutionEventDto
                {
                    Event = "execution-finished",
                    ExecutionId = run.Execution.ExecutionId,
                    At = DateTimeOffset.UtcNow,
                    Progress = DtoMapper.ToProgress(progress),
                    Status = DtoMapper.Text(status),
                }, ++sequence, json.Value.SerializerOptions, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client closed the stream.
        }
    }

    private static async Task WriteEventAsync(HttpResponse response, ExecutionEventDto dto, int sequence, JsonSerializerOptions options, CancellationToken cancellationToken)
    {
        // Compact JSON never contains a raw newline, so one data: line carries the whole event.
        var text = $"event: {dto.Event}\nid: {sequence}\ndata: {JsonSerializer.Serialize(dto, options)}\n\n";
        await response.WriteAsync(text, cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }

    private static string DownloadName(GoalResult goal, string extension) =>
        goal.Kind == Dag.GoalKind.Save && Path.GetFileName(goal.Name) is { Length: > 0 } file ? file : $"goal-{goal.Ordinal}{extension}";

    private static ServerRun Require(ExecutionHost host, string id) =>
        host.Find(id) ?? throw ApiProblemException.NotFound($"No execution '{id}' on this server.");

    private static ApiProblemException AlreadyFinished(IExecution execution) =>
        new(StatusCodes.Status409Conflict, "Execution already ended",
            $"Execution {execution.ExecutionId} has already ended ({DtoMapper.Text(execution.Status)}); there is nothing to cancel.");
}
