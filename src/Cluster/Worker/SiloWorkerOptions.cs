namespace VoxScheduler.Cluster.Worker;

/// <summary>
/// What a silo's worker needs: its slot count, its cache budget, the shared store's connection
/// string, and how many stores nobody uses it keeps open (<see cref="VoxScheduler.Storage.StoreCache{TKey,TStore}"/>).
/// </summary>
internal sealed record SiloWorkerOptions(int Slots, long CacheBytes, string? ConnectionString, int MaxIdleStores = SiloWorkerOptions.DefaultMaxIdleStores)
{
    /// <summary>Idle stores a worker keeps open by default.</summary>
    public const int DefaultMaxIdleStores = 16;
}
