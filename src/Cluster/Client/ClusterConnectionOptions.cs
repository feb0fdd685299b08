namespace VoxScheduler.Cluster.Client;

/// <summary>
/// How a client finds a cluster: its id, and either the Redis server its silos use for
/// membership or (one machine, localhost clustering) the silos' gateway ports on loopback.
/// </summary>
public sealed record ClusterConnectionOptions
{
    /// <summary>The service id silos share by default.</summary>
    public const string DefaultServiceId = "voxscheduler";

    /// <summary>The cluster's id (the silos' <c>--cluster-id</c>).</summary>
    public required string ClusterId { get; init; }

    /// <summary>The service id (the same on every silo and client of a deployment).</summary>
    public string ServiceId { get; init; } = DefaultServiceId;

    /// <summary>The Redis server of the cluster's membership (<c>host:port</c>, or a StackExchange.Redis configuration string); null: localhost clustering.</summary>
    public string? Redis { get; init; }

    /// <summary>Gateway ports on loopback (localhost clustering, no <see cref="Redis"/>): the silos' <c>--gateway-port</c>s.</summary>
    public IReadOnlyList<int> GatewayPorts { get; init; } = [];

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(ClusterId)) throw new ArgumentException("A cluster id is required.", nameof(ClusterId));
        if (string.IsNullOrWhiteSpace(ServiceId)) throw new ArgumentException("A service id is required.", nameof(ServiceId));
        if (Redis is null && GatewayPorts.Count == 0)
        {
            throw new ArgumentException("Give the cluster's Redis server, or (one machine) the silos' gateway ports.", nameof(GatewayPorts));
        }

        if (GatewayPorts.Any(p => p is < 1 or > 65535)) throw new ArgumentOutOfRangeException(nameof(GatewayPorts), "A port is between 1 and 65535.");
    }
}
