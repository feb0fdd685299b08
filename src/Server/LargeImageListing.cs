using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using VoxScheduler.Dag;
using VoxScheduler.Images;
using VoxScheduler.Server.Dtos;
using VoxScheduler.Storage;

namespace VoxScheduler.Server;

/// <summary>
/// Images at or above the streaming threshold in result listings: the engine leaves them in the
/// store (no value in hand), so their description (kind, size, spacing, min, max, summary) is
/// read from the stored form as a stream, header first and one pass over the voxels, never
/// loading them. A result is immutable under its content id, so descriptions are remembered
/// (a bounded table) and a listing read again costs nothing.
/// </summary>
internal sealed class LargeImageListing
{
    private const int MaxRemembered = 1024;
    private readonly ConcurrentDictionary<NodeId, JsonObject?> _known = new();

    /// <summary>The goals with their large images described; other goals as they were.</summary>
    public async Task<IReadOnlyList<T>> DescribeAsync<T>(IReadOnlyList<T> goals, IResultStore? store, CancellationToken cancellationToken)
        where T : GoalValueDto
    {
        if (store is null || !goals.Any(IsLarge)) return goals;
        var described = new List<T>(goals.Count);
        foreach (var goal in goals)
        {
            if (IsLarge(goal) && await DescribeAsync(store, NodeId.Parse(goal.NodeId), cancellationToken) is { } description)
            {
                described.Add(goal with { Value = description.DeepClone(), ValueOmitted = false, Encoding = null });
            }
            else
            {
                described.Add(goal);
            }
        }

        return described;
    }

    private static bool IsLarge(GoalValueDto goal) => goal.ValueOmitted && goal.DataType == "large_object";

    /// <summary>The description of a stored image, or null when the stored value is not an image (or is gone).</summary>
    public async Task<JsonObject?> DescribeAsync(IResultStore store, NodeId id, CancellationToken cancellationToken)
    {
        if (_known.TryGetValue(id, out var known)) return known;
        await using var stream = await store.OpenReadAsync(id, cancellationToken);
        if (stream is null) return null;
        JsonObject? description = null;
        if (await StoredImage.ReadHeaderAsync(stream, cancellationToken) is { } image)
        {
            var statistics = await image.StatisticsAsync(stream, cancellationToken);
            description = ImageContent.Describe(image.Kind, image.Geometry, statistics, image.Summary(statistics));
        }

        if (_known.Count >= MaxRemembered) _known.Clear();
        _known[id] = description;
        return description;
    }
}
