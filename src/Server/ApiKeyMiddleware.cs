using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace VoxScheduler.Server;

/// <summary>
/// When an API key is configured, every <c>/api</c> request must carry it in <c>X-Api-Key</c>;
/// others get 401. Health and the OpenAPI document stay open (they reveal no data).
/// </summary>
internal sealed class ApiKeyMiddleware(RequestDelegate next, IOptions<ServerOptions> options, IProblemDetailsService problems)
{
    public const string HeaderName = "X-Api-Key";

    // Hashing both sides first gives equal-length inputs, so the comparison time reveals
    // neither the key's length nor how many leading characters matched.
    private readonly byte[]? _expectedHash = string.IsNullOrEmpty(options.Value.ApiKey)
        ? null
        : SHA256.HashData(Encoding.UTF8.GetBytes(options.Value.ApiKey));

    public async Task InvokeAsync(HttpContext context)
    {
        if (_expectedHash is null || !context.Request.Path.StartsWithSegments("/api"))
        {
            await next(context);
            return;
        }

        var supplied = context.Request.Headers[HeaderName];
        if (supplied.Count == 1 && supplied[0] is { } key
            && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(key)), _expectedHash))
        {
            await next(context);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = $"ApiKey header=\"{HeaderName}\"";
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = "Unauthorized",
                Detail = supplied.Count == 0
                    ? $"This server requires an API key in the {HeaderName} header."
                    : $"The {HeaderName} header does not hold the server's API key.",
            },
        });
    }
}
