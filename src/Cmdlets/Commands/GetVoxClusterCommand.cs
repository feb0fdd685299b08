using System.Management.Automation;
using VoxScheduler.Cmdlets.Output;

namespace VoxScheduler.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Lists the silos of the connected clusters: status, slots, calls running, load and cached bytes.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "VoxCluster")]
[OutputType(typeof(VoxClusterSilo))]
public sealed class GetVoxClusterCommand : VoxClusterCmdlet
{
    /// <summary>Connections by name (wildcards allowed); default: every connection of the session.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        foreach (var connection in SelectConnections(Name, null, allWhenUnnamed: true))
        {
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(StopToken);
            bounded.CancelAfter(TimeSpan.FromSeconds(30));
            IReadOnlyList<Cluster.Client.ClusterSiloInfo> silos;
            try
            {
                silos = Block(connection.Client.GetSilosAsync(bounded.Token));
            }
            catch (Exception e) when (e is not PipelineStoppedException)
            {
                var why = e is OperationCanceledException ? "it did not answer within 30 s" : e.Message;
                Error(VoxErrors.ClusterUnavailable, ErrorCategory.ConnectionError, connection, $"Cluster '{connection.ClusterId}' ({connection.Name}) cannot list its silos: {why}", e);
                continue;
            }

            foreach (var silo in silos)
            {
                WriteObject(new VoxClusterSilo(connection.Name, connection.ClusterId, silo));
            }
        }
    }
}
