using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace VoxScheduler.Tests;

/// <summary>One parsed server-sent event (event name, id and data).</summary>
internal sealed record ServerSentEvent(string Event, string? Id, string Data)
{
    public JsonElement Json => JsonDocument.Parse(Data).RootElement.Clone();

    /// <summary>Parses an event stream as the EventSource specification reads it (fields up to a blank line).</summary>
    public static async IAsyncEnumerable<ServerSentEvent> ParseAsync(Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8);
        string? name = null, id = null;
        var data = new StringBuilder();
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                if (data.Length > 0) yield return new ServerSentEvent(name ?? "message", id, data.ToString().TrimEnd('\n'));
                name = null;
                data.Clear();
                continue;
            }

            if (line.StartsWith(':')) continue;
            var colon = line.IndexOf(':');
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? string.Empty : line[(colon + 1)..].TrimStart(' ');
            switch (field)
            {
                case "event": name = value; break;
                case "id": id = value; break;
                case "data": data.Append(value).Append('\n'); break;
            }
        }
    }
}
