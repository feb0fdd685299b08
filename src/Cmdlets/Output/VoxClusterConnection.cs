using VoxScheduler.Cluster.Client;
using VoxScheduler.Cmdlets.Hosting;

namespace VoxScheduler.Cmdlets.Output;

/// <summary>
/// A connection of this PowerShell session to a VoxScheduler cluster (<c>Connect-VoxCluster</c>):
/// the cluster's Redis and id, and the store namespace results go to by default. The PostgreSQL
/// password stays inside the process, never on this object.
/// </summary>
public sealed class VoxClusterConnection
{
    private int _closed;

    internal VoxClusterConnection(string name, string clusterId, string redis, string serviceId, string storeNamespace, string database,
        VoxClusterClient client)
    {
        Name = name;
        ClusterId = clusterId;
        Redis = redis;
        ServiceId = serviceId;
        Namespace = storeNamespace;
        Database = database;
        Client = client;
        ConnectedAt = DateTimeOffset.Now;
    }

    /// <summary>The connection's name (Submit-VoxDag -Connection, Get-VoxCluster -Name).</summary>
    public string Name { get; }

    /// <summary>The cluster's id (the silos' --cluster-id).</summary>
    public string ClusterId { get; }

    /// <summary>The Redis server of the cluster's membership.</summary>
    public string Redis { get; }

    public string ServiceId { get; }

    /// <summary>The store namespace results go to when Submit-VoxDag -Cluster names no -Store.</summary>
    public string Namespace { get; }

    /// <summary>The PostgreSQL database results are read from (user@host:port/database, no secret).</summary>
    public string Database { get; }

    public DateTimeOffset ConnectedAt { get; }

    /// <summary>False once Disconnect-VoxCluster (or the module's removal) has closed it.</summary>
    public bool IsConnected => Volatile.Read(ref _closed) == 0;

    internal VoxClusterClient Client { get; }

    /// <summary>The store results go to by default.</summary>
    internal StoreLocation DefaultStore => new(Provider.VoxStoreProvider.PostgresBackendName, Namespace);

    /// <summary>Marks it closed; true for the first caller only.</summary>
    internal bool MarkClosed() => Interlocked.Exchange(ref _closed, 1) == 0;

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({ClusterId} via {Redis})";
}
