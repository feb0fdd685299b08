using VoxScheduler.Cluster.Placement;
using VoxScheduler.Cluster.Worker;

namespace VoxScheduler.Cluster.Grains;

/// <summary>Answers for the silo it is placed on (its key names it).</summary>
[SiloBoundPlacement]
internal sealed class SiloInfoGrain(NodeWorker worker) : Grain, ISiloInfoGrain
{
    public Task<SiloWorkerInfo> GetAsync()
    {
        // Placed on another silo while the cluster's manifest did not list the named one yet: answer (for this silo,
        // which the caller sees), then leave, so the next call is placed again.
        if (!string.Equals(worker.Silo, this.GetPrimaryKeyString(), StringComparison.Ordinal)) DeactivateOnIdle();
        return Task.FromResult(new SiloWorkerInfo
        {
            Silo = worker.Silo, Slots = worker.Slots, InFlight = worker.InFlight, CachedBytes = worker.CachedBytes,
        });
    }
}
