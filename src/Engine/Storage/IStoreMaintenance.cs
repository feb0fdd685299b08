namespace VoxScheduler.Storage;

/// <summary>Keeping a store within bounds while it is in use.</summary>
public interface IStoreMaintenance
{
    /// <summary>Trims results by age and/or total size (least recently used first); safe while executions run.</summary>
    ValueTask<EvictionReport> EvictAsync(EvictionPolicy policy, CancellationToken cancellationToken = default);
}
