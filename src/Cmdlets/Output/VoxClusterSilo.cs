namespace VoxScheduler.Cmdlets.Output;

/// <summary>A silo of a cluster as Get-VoxCluster shows it.</summary>
public sealed class VoxClusterSilo
{
    internal VoxClusterSilo(string connection, string clusterId, Cluster.Client.ClusterSiloInfo info)
    {
        Connection = connection;
        ClusterId = clusterId;
        Address = info.Address;
        Name = info.Name;
        Status = info.Status;
        Slots = info.Slots;
        InFlight = info.InFlight;
        CachedBytes = info.CachedBytes;
    }

    /// <summary>The connection it was listed through.</summary>
    public string Connection { get; }

    public string ClusterId { get; }

    /// <summary>Its silo endpoint (ip:port).</summary>
    public string Address { get; }

    /// <summary>Its name (host and process).</summary>
    public string Name { get; }

    /// <summary>Membership status: Active, Joining, ShuttingDown, Dead, …</summary>
    public string Status { get; }

    /// <summary>Nodes it runs at once (0 when it did not answer, or is not active).</summary>
    public int Slots { get; }

    /// <summary>Calls it runs now.</summary>
    public int InFlight { get; }

    /// <summary>Its load: calls running over slots, 0–1 (0 without slots).</summary>
    public double Load => Slots <= 0 ? 0 : Math.Min(1.0, (double)InFlight / Slots);

    /// <summary>Bytes its input cache holds.</summary>
    public long CachedBytes { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Address} {Status}";
}
