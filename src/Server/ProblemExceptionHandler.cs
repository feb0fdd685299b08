using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using VoxScheduler.Server.Dtos;

namespace VoxScheduler.Server;

/// <summary>
/// Turns every exception that reaches the pipeline into an RFC 7807 answer: client mistakes
/// with their status and what to fix, anything else as a 500 that names only the trace id
/// (never a stack trace or an internal message).
/// </summary>
internal sealed class ProblemExceptionHandler(IProblemDetailsService problems, ExecutionHost host, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && httpContext.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
            httpContext.Response.StatusCode = 499;
            return true;
        }

        var (status, title, detail, errors) = Classify(exception);
        if (status >= 500)
            logger.LogError(exception, "Unhandled error on {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
        else
            logger.LogDebug("Refused {Method} {Path}: {Status} {Detail}", httpContext.Request.Method, httpContext.Request.Path, status, detail);

        if (exception is ApiProblemException { RetryAfterSeconds: { } retry })
            httpContext.Response.Headers.RetryAfter = retry.ToString(System.Globalization.CultureInfo.InvariantCulture);

        httpContext.Response.StatusCode = status;
        var problem = new ProblemDetails { Status = status, Title = title, Detail = host.Mapper.Redact(detail) };
        if (exception is BudgetExceededException budget)
        {
            // The type names the budget so a client can tell which bound it hit without parsing prose.
            problem.Type = BudgetProblemType + budget.Budget;
            problem.Extensions["budget"] = budget.Budget;
            problem.Extensions["limit"] = budget.Limit;
        }

        if (errors is { Count: > 0 }) problem.Extensions["errors"] = errors.Select(e => e with { Message = host.Mapper.Redact(e.Message), File = host.Mapper.Redact(e.File) }).ToList();
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = problem,
            Exception = exception,
        });
    }

    /// <summary>Problem type of a request refused for going past a budget; the budget's name follows.</summary>
    public const string BudgetProblemType = "urn:voxscheduler:problem:budget-exceeded:";

    /// <summary>Status, title, detail and individual errors for an exception.</summary>
    public static (int Status, string Title, string Detail, IReadOnlyList<ErrorDetail>? Errors) Classify(Exception exception) => exception switch
    {
        ApiProblemException p => (p.StatusCode, p.Title, p.Message, p.Errors),
        BudgetExceededException b => (StatusCodes.Status400BadRequest, "Budget exceeded", b.Message, ToErrors(b)),
        ValidationException v when v.Problems.Count > 0 && v.Problems.All(p => p.Code == "InvalidConfig") =>
            (StatusCodes.Status400BadRequest, "Invalid configuration", v.Message, ToErrors(v)),
        ValidationException v => (StatusCodes.Status400BadRequest, "Invalid program", v.Message, ToErrors(v)),
        BadHttpRequestException b => (b.StatusCode, b.StatusCode == StatusCodes.Status413PayloadTooLarge ? "Request too large" : "Bad request",
            b.StatusCode == StatusCodes.Status413PayloadTooLarge ? "The request body is larger than this server accepts." : b.Message, null),
        JsonException j => (StatusCodes.Status400BadRequest, "Malformed JSON", RequestBodyReader.Describe(j), [RequestBodyReader.ToError(j)]),
        StorageCorruptionException c => (StatusCodes.Status500InternalServerError, "Stored result corrupt", c.Message, null),
        StorageException s => (StatusCodes.Status400BadRequest, "Storage unusable", s.Message, null),
        SchedulingException s => (StatusCodes.Status409Conflict, "Scheduling conflict", s.Message, null),
        OperationCanceledException => (StatusCodes.Status503ServiceUnavailable, "Service unavailable", "The server is shutting down; retry later.", null),
        _ => (StatusCodes.Status500InternalServerError, "Internal server error",
            "The server failed to handle the request; its log has the details.", null),
    };

    private static IReadOnlyList<ErrorDetail> ToErrors(ValidationException v) =>
        v.Problems.Select(p => new ErrorDetail
        {
            Message = p.Message,
            Code = p.Code,
            File = p.File,
            Line = p.Line > 0 ? p.Line : null,
            Column = p.Column > 0 ? p.Column : null,
            Node = p.Node,
            Path = p.Code == "InvalidConfig" ? ConfigFieldPath(p.Message) : null,
        }).ToList();

    /// <summary>Configuration problems start with the request field they are about ("max_retries must be …").</summary>
    private static string? ConfigFieldPath(string message)
    {
        var first = message.Split(' ', 2)[0];
        return first.Length > 0 && first.All(c => c is (>= 'a' and <= 'z') or '_') ? "$." + first : null;
    }
}
