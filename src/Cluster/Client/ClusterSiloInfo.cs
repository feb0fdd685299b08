namespace VoxScheduler.Cluster.Client;

/// <summary>A silo of the cluster as <c>Get-VoxCluster</c> shows it.</summary>
/// <param name="Address">Its address (ip:port of the silo endpoint).</param>
/// <param name="Name">Its name (host and process).</param>
/// <param name="Status">Membership status: Active, Joining, ShuttingDown, Dead, …</param>
/// <param name="Slots">Worker slots (0 when it did not answer).</param>
/// <param name="InFlight">Calls it runs now.</param>
/// <param name="CachedBytes">Bytes its input cache holds.</param>
public sealed record ClusterSiloInfo(string Address, string Name, string Status, int Slots, int InFlight, long CachedBytes);
