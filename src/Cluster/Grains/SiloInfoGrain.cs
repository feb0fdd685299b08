using VoxScheduler.Cluster.Placement;
using VoxScheduler.Cluster.Worker;

namespace VoxScheduler.Cluster.Grains;

/// <summary>Answers for the silo it is placed on (its key names it).</summary>
[SiloBoundPlacement]
internal sealed class SiloInfoGrain(NodeWorker worker) : Grain, ISiloInfoGrain
{
    public Task<SiloWorkerInfo> GetAsync() => Task.FromResult(new SiloWorkerInfo
    {
        Silo = worker.Silo, Slots = worker.Slots, InFlight = worker.InFlight, CachedBytes = worker.CachedBytes,
    });
}
