using VoxScheduler.Server.Dtos;

namespace VoxScheduler.Server;

/// <summary>
/// A request the server refuses for a reason the client can fix; turned into an RFC 7807
/// problem response by <see cref="ProblemExceptionHandler"/>.
/// </summary>
internal sealed class ApiProblemException : Exception
{
    public ApiProblemException(int statusCode, string title, string detail, IReadOnlyList<ErrorDetail>? errors = null)
        : base(detail)
    {
        StatusCode = statusCode;
        Title = title;
        Errors = errors;
    }

    /// <summary>The HTTP status to answer with.</summary>
    public int StatusCode { get; }

    /// <summary>Short, stable summary of the problem type.</summary>
    public string Title { get; }

    /// <summary>Individual problems (field or source location), when there are several.</summary>
    public IReadOnlyList<ErrorDetail>? Errors { get; }

    /// <summary>Seconds after which retrying may succeed (429), when known.</summary>
    public int? RetryAfterSeconds { get; init; }

    public static ApiProblemException BadRequest(string detail, IReadOnlyList<ErrorDetail>? errors = null) =>
        new(StatusCodes.Status400BadRequest, "Bad request", detail, errors);

    public static ApiProblemException NotFound(string detail) =>
        new(StatusCodes.Status404NotFound, "Not found", detail);
}
