namespace VoxScheduler.Scheduling;

/// <summary>
/// A store as the scheduler shares it between executions (or the memory-only "store" of
/// backend <c>none</c>): the store itself and the table of nodes being computed on it.
/// </summary>
internal sealed class StoreSlot
{
    public StoreSlot(Storage.IResultStore? store, bool ownedByScheduler)
    {
        Store = store;
        OwnedByScheduler = ownedByScheduler;
    }

    /// <summary>Null for backend <c>none</c>.</summary>
    public Storage.IResultStore? Store { get; }

    /// <summary>True when the scheduler opened it (and disposes it).</summary>
    public bool OwnedByScheduler { get; }

    public InFlightTable InFlight { get; } = new();
}
