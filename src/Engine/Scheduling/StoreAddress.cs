namespace VoxScheduler.Scheduling;

/// <summary>
/// Which store the scheduler opens: the resolved backend and the full location, so "auto" and a
/// store's actual backend name one store and a folder is never open twice. Its text is the
/// location, which errors name.
/// </summary>
internal readonly record struct StoreAddress(string Backend, string Location)
{
    public override string ToString() => Location;
}
