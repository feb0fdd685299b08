using VoxScheduler.Dag;

namespace VoxScheduler.Storage;

/// <summary>
/// Chooses what an eviction removes, the same way on every backend: first every result not
/// accessed since <c>now − OlderThan</c>, then the least recently used ones until what is left
/// fits <c>MaxTotalBytes</c>; never one the policy keeps (<see cref="EvictionPolicy.Keep"/>). A backend only answers the two questions (which results were last
/// accessed before a time; all results, least recently used first), each its own way, and
/// deletes the chosen ones.
/// </summary>
internal static class EvictionPlanner
{
    /// <summary>The results to remove, each once, in the order chosen.</summary>
    /// <param name="policy">What to trim.</param>
    /// <param name="totalBytes">Stored bytes of the whole store now.</param>
    /// <param name="now">Now by the store's clock.</param>
    /// <param name="accessedBefore">Results last accessed before the given time, with their stored sizes.</param>
    /// <param name="leastRecentlyUsedFirst">Every result with its stored size, least recently used first; read only as far as needed.</param>
    public static List<NodeId> Plan(EvictionPolicy policy, long totalBytes, DateTimeOffset now,
        Func<DateTimeOffset, IEnumerable<(NodeId Id, long Size)>> accessedBefore,
        Func<IEnumerable<(NodeId Id, long Size)>> leastRecentlyUsedFirst)
    {
        var victims = new List<NodeId>();
        var chosen = new HashSet<NodeId>();
        long chosenBytes = 0;
        if (policy.OlderThan is { } age)
        {
            foreach (var (id, size) in accessedBefore(now - age))
            {
                if (policy.Keep?.Invoke(id) == true) continue;
                if (chosen.Add(id))
                {
                    victims.Add(id);
                    chosenBytes += size;
                }
            }
        }

        if (policy.MaxTotalBytes is { } max && totalBytes - chosenBytes > max)
        {
            foreach (var (id, size) in leastRecentlyUsedFirst())
            {
                if (totalBytes - chosenBytes <= max) break;
                if (policy.Keep?.Invoke(id) == true) continue;
                if (chosen.Add(id))
                {
                    victims.Add(id);
                    chosenBytes += size;
                }
            }
        }

        return victims;
    }
}
