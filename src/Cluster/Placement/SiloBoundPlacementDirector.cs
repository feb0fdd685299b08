using Orleans.Runtime.Placement;

namespace VoxScheduler.Cluster.Placement;

/// <summary>Chooses the silo of a <see cref="SiloBoundPlacement"/> grain.</summary>
internal sealed class SiloBoundPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var silos = context.GetCompatibleSilos(target);
        if (silos.Length == 0) throw new OrleansException($"No silo can host {target.GrainIdentity}.");
        var id = target.GrainIdentity;
        var key = id.TryGetIntegerKey(out _, out var extension) ? extension ?? string.Empty : id.Key.ToString() ?? string.Empty;
        var cut = key.LastIndexOf('|');
        var named = cut >= 0 ? key[(cut + 1)..] : key;
        foreach (var silo in silos)
        {
            if (string.Equals(silo.ToParsableString(), named, StringComparison.Ordinal)) return Task.FromResult(silo);
        }

        // The named silo left the cluster: any live one (stable for the key, so retries meet the same activation).
        var ordered = silos.OrderBy(s => s.ToParsableString(), StringComparer.Ordinal).ToArray();
        var hash = System.IO.Hashing.XxHash32.HashToUInt32(System.Text.Encoding.UTF8.GetBytes(id.ToString()));
        return Task.FromResult(ordered[hash % (uint)ordered.Length]);
    }
}
