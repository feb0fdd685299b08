using System.Text.Json;
using VoxScheduler.Server.Dtos;

namespace VoxScheduler.Server;

/// <summary>
/// Reads JSON request bodies by hand, so every way a body can be wrong (too large, not JSON,
/// wrong types, missing) becomes a precise problem answer instead of a framework default.
/// </summary>
internal static class RequestBodyReader
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNameCaseInsensitive = false,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict,
        ReadCommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
        MaxDepth = 32,
        // A misspelt field ("max_retry") must not be silently ignored, nor a field given twice silently resolved.
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        AllowDuplicateProperties = false,
    };

    private static readonly (string Type, string Name)[] FriendlyTypes =
    [
        ("System.Int32", "an integer"), ("System.Int64", "an integer"), ("System.Double", "a number"),
        ("System.Boolean", "true or false"), ("System.String", "a string"),
    ];

    /// <summary>The body as <typeparamref name="T"/>, or an <see cref="ApiProblemException"/> saying what is wrong.</summary>
    public static async Task<T> ReadAsync<T>(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
        where T : class
    {
        if (request.ContentLength is { } length && length > maxBytes)
            throw TooLarge(maxBytes);
        if (request.ContentType is { } type && !IsJson(type))
            throw new ApiProblemException(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                $"The body must be JSON (Content-Type: application/json), not '{type}'.");

        T? value;
        try
        {
            value = await JsonSerializer.DeserializeAsync<T>(request.Body, Options, cancellationToken);
        }
        catch (JsonException e)
        {
            throw ApiProblemException.BadRequest(Describe(e), [ToError(e)]);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge(maxBytes);
        }

        return value ?? throw ApiProblemException.BadRequest("The body must be a JSON object, not null.",
            [new ErrorDetail { Message = "Expected a JSON object.", Code = "InvalidJson", Path = "$" }]);
    }

    /// <summary>A one-line description of a JSON error that does not echo internals.</summary>
    public static string Describe(JsonException e)
    {
        var where = e.Path is { Length: > 0 } p ? $" at {p}" : string.Empty;
        var line = e.LineNumber is { } l ? $" (line {l + 1}, column {(e.BytePositionInLine ?? 0) + 1})" : string.Empty;
        return $"The body is not a valid request{where}{line}: {FirstSentence(e.Message)}";
    }

    public static ErrorDetail ToError(JsonException e) => new()
    {
        Message = FirstSentence(e.Message),
        Code = "InvalidJson",
        Path = e.Path,
        Line = e.LineNumber is { } l ? (int)l + 1 : null,
        Column = e.BytePositionInLine is { } c ? (int)c + 1 : null,
    };

    private static bool IsJson(string contentType)
    {
        var mediaType = contentType.Split(';')[0].Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("text/json", StringComparison.OrdinalIgnoreCase);
    }

    // System.Text.Json messages append "Path: $.x | LineNumber: 0 | ..." which we report in fields of our own.
    // .NET type names ("System.Nullable`1[System.Int32]") mean nothing to a client and describe internals: say what is expected instead.
    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        var text = (cut > 0 ? message[..cut] : message).Trim();
        text = System.Text.RegularExpressions.Regex.Replace(text, @"System\.Nullable`1\[([\w.]+)\]", "$1");
        foreach (var (type, name) in FriendlyTypes) text = text.Replace(type, name, StringComparison.Ordinal);
        text = System.Text.RegularExpressions.Regex.Replace(text, @"\b(System|VoxScheduler|Microsoft)(\.[\w`\[\]]+)+", "the expected type");
        return text.Replace("converted to an", "read as an", StringComparison.Ordinal).Replace("converted to a", "read as a", StringComparison.Ordinal);
    }

    private static ApiProblemException TooLarge(long maxBytes) =>
        new(StatusCodes.Status413PayloadTooLarge, "Request too large", $"The request body is larger than the {maxBytes} bytes this server accepts.");
}
