namespace VoxScheduler.Cluster.Placement;

/// <summary>
/// Places a grain on the silo its key names (the text after the last '|' of its key or key
/// extension, a silo address in Orleans' parsable form), or, when that silo is not in the
/// cluster, on a live silo chosen by the key's hash.
/// </summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking]
internal sealed class SiloBoundPlacement : PlacementStrategy
{
    internal static readonly SiloBoundPlacement Instance = new();
}
