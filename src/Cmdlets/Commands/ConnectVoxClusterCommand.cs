using System.Management.Automation;
using VoxScheduler.Cluster.Client;
using VoxScheduler.Cmdlets.Hosting;
using VoxScheduler.Cmdlets.Output;
using VoxScheduler.Cmdlets.Provider;

namespace VoxScheduler.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Connects this session to a VoxScheduler cluster: its Redis, its cluster id, and the PostgreSQL database of its results.</para>
/// The PostgreSQL connection string comes from -ConnectionFile or $env:VOXSCHEDULER_POSTGRES (as the
/// silos read it), the user name and password from -Credential: never from the command line.
/// </summary>
[Cmdlet(VerbsCommunications.Connect, "VoxCluster")]
[OutputType(typeof(VoxClusterConnection))]
public sealed class ConnectVoxClusterCommand : VoxClusterCmdlet
{
    /// <summary>Longest wait for the cluster (-Timeout).</summary>
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(10);

    /// <summary>The Redis server of the cluster's membership, host:port (the silos' --redis).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    [ValidateLength(1, 512)]
    public string Redis { get; set; } = string.Empty;

    /// <summary>The cluster's id (the silos' --cluster-id; build.ps1 cluster-up prints it).</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    [ValidateLength(1, 256)]
    public string ClusterId { get; set; } = string.Empty;

    /// <summary>A name for the connection (Submit-VoxDag -Connection, Get-VoxCluster -Name); default: default.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ValidateLength(1, 128)]
    public string Name { get; set; } = ClusterConnections.DefaultName;

    /// <summary>The store namespace in the cluster's database that Submit-VoxDag -Cluster uses without -Store; default: default.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Namespace { get; set; } = ClusterConnections.DefaultName;

    /// <summary>The user name and password of the PostgreSQL database (replacing those of the connection string).</summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>A file holding the PostgreSQL connection string (default: $env:VOXSCHEDULER_POSTGRES).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ConnectionFile { get; set; }

    /// <summary>The cluster's service id (the silos' --service-id); default: voxscheduler.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ValidateLength(1, 256)]
    public string ServiceId { get; set; } = ClusterConnectionOptions.DefaultServiceId;

    /// <summary>How long to wait for the cluster to answer: seconds (30), a unit (30s, 2m) or a TimeSpan; from 1 s to 10 min (default 30 s).</summary>
    [Parameter]
    [VoxTimeSpan]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        CheckArguments();
        if (ClusterConnections.Find(Name) is not null)
        {
            Terminate(VoxErrors.ParameterConflict, ErrorCategory.ResourceExists, Name,
                $"This session already has a cluster connection named '{Name}'; Disconnect-VoxCluster -Name {Name} first, or give another -Name.");
        }

        // The database first: a wrong password or an unreachable server is said before the cluster is tried.
        try
        {
            PostgresConnection.Use(Credential, ConnectionFile is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(ConnectionFile));
        }
        catch (Exception e) when (e is ArgumentException or ItemNotFoundException or System.Management.Automation.DriveNotFoundException or ProviderNotFoundException)
        {
            Terminate(VoxErrors.StoreUnavailable, ErrorCategory.InvalidArgument, ConnectionFile, e.Message, e);
        }

        var location = new StoreLocation(VoxStoreProvider.PostgresBackendName, Namespace.Trim());
        OpenStore(location);

        var options = new ClusterConnectionOptions { ClusterId = ClusterId, Redis = Redis, ServiceId = ServiceId };
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(StopToken);
        bounded.CancelAfter(Timeout);
        CheckRedisReachable(bounded.Token);
        VoxClusterClient client;
        try
        {
            client = Block(VoxClusterClient.ConnectAsync(options, bounded.Token));
        }
        catch (OperationCanceledException) when (!StopToken.IsCancellationRequested)
        {
            Terminate(VoxErrors.ClusterUnavailable, ErrorCategory.ConnectionError, ClusterId,
                $"No silo of cluster '{ClusterId}' answered through Redis {Redis} within {Timeout.TotalSeconds:0.#} s. Check the cluster id (the silos' --cluster-id; build.ps1 cluster-up prints it) and that its silos are running; -Timeout waits longer.");
            return;
        }
        catch (Exception e) when (e is not PipelineStoppedException and not OperationCanceledException)
        {
            Terminate(VoxErrors.ClusterUnavailable, ErrorCategory.ConnectionError, Redis,
                $"Cannot connect to cluster '{ClusterId}' through Redis {Redis}: {e.Message}", e);
            return;
        }

        IReadOnlyList<ClusterSiloInfo> silos;
        try
        {
            silos = Block(client.GetSilosAsync(bounded.Token));
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            _ = client.DisposeAsync().AsTask();
            Terminate(VoxErrors.ClusterUnavailable, ErrorCategory.ConnectionError, ClusterId,
                $"Cluster '{ClusterId}' did not list its silos within {Timeout.TotalSeconds:0.#} s: {e.Message}", e);
            return;
        }

        var active = silos.Count(s => s.Status == "Active");
        if (active == 0)
        {
            _ = client.DisposeAsync().AsTask();
            Terminate(VoxErrors.ClusterUnavailable, ErrorCategory.ConnectionError, ClusterId,
                $"Cluster '{ClusterId}' has no active silo ({silos.Count} listed); start its silos, or after an unclean stop start them with a fresh cluster id.");
        }

        var connection = new VoxClusterConnection(Name, ClusterId, Redis, ServiceId, location.Path, PostgresConnection.Describe(), client);
        if (!ClusterConnections.TryAdd(connection))
        {
            _ = client.DisposeAsync().AsTask();
            Terminate(VoxErrors.ParameterConflict, ErrorCategory.ResourceExists, Name, $"Another command connected '{Name}' meanwhile; Disconnect-VoxCluster -Name {Name} first.");
        }

        WriteVerbose($"Connected to cluster '{ClusterId}' ({active} active silo(s), {silos.Where(s => s.Status == "Active").Sum(s => s.Slots)} slots); results go to namespace '{location.Path}' of {connection.Database}.");
        WriteObject(connection);
    }

    // Redis first, with a plain TCP connection: Orleans' own attempt may retry until the timeout,
    // and "nothing listens there" deserves its own message.
    private void CheckRedisReachable(CancellationToken cancellationToken)
    {
        var colon = Redis.LastIndexOf(':');
        var host = Redis[..colon].Trim('[', ']');
        var port = int.Parse(Redis.AsSpan(colon + 1), System.Globalization.CultureInfo.InvariantCulture);
        using var probe = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        probe.CancelAfter(TimeSpan.FromSeconds(10));
        using var client = new System.Net.Sockets.TcpClient();
        try
        {
            Block(client.ConnectAsync(host, port, probe.Token).AsTask());
        }
        catch (Exception e) when ((e is System.Net.Sockets.SocketException or OperationCanceledException) && !StopToken.IsCancellationRequested)
        {
            var why = e is OperationCanceledException ? "no answer within 10 s" : e.Message;
            Terminate(VoxErrors.ClusterUnavailable, ErrorCategory.ConnectionError, Redis,
                $"Cannot reach Redis {Redis} (the cluster's membership): {why}. Check -Redis (the silos' --redis) and that the server runs.", e);
        }
    }

    private void CheckArguments()
    {
        if (Timeout < TimeSpan.FromSeconds(1) || Timeout > MaxTimeout)
        {
            Terminate(VoxErrors.ConfigInvalid, ErrorCategory.InvalidArgument, Timeout, $"-Timeout must be from 1 s to 10 min, not {Timeout}.");
        }

        // host:port only: a Redis configuration string could carry a password onto the command line.
        var colon = Redis.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(Redis.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port)
            || port is < 1 or > 65535 || Redis[..colon].Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is ',' or '='))
        {
            Terminate(VoxErrors.ConfigInvalid, ErrorCategory.InvalidArgument, Redis, $"-Redis takes host:port (e.g. 10.0.0.5:6379), not '{Redis}'.");
        }

        foreach (var (name, value) in new[] { ("ClusterId", ClusterId), ("ServiceId", ServiceId), ("Name", Name) })
        {
            if (value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            {
                Terminate(VoxErrors.ConfigInvalid, ErrorCategory.InvalidArgument, value, $"-{name} is one word without spaces or control characters, not '{value}'.");
            }
        }

        if (Namespace.Trim().Length > VoxStoreProvider.MaxNamespaceLength || Namespace.Any(char.IsControl))
        {
            Terminate(VoxErrors.ConfigInvalid, ErrorCategory.InvalidArgument, Namespace,
                $"-Namespace names a store namespace in the database: one line of at most {VoxStoreProvider.MaxNamespaceLength} characters.");
        }
    }
}
