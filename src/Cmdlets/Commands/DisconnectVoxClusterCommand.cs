using System.Management.Automation;
using VoxScheduler.Cmdlets.Hosting;
using VoxScheduler.Cmdlets.Output;

namespace VoxScheduler.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Closes cluster connections of this session: named, piped, or the default one.</para>
/// Executions submitted through a connection go on on the cluster; this session stops following them.
/// </summary>
[Cmdlet(VerbsCommunications.Disconnect, "VoxCluster", DefaultParameterSetName = NameSet)]
[OutputType(typeof(void))]
public sealed class DisconnectVoxClusterCommand : VoxClusterCmdlet
{
    private const string NameSet = "Name";
    private const string InputObjectSet = "InputObject";

    /// <summary>Connections by name (wildcards allowed); default: the only connection, or the one named default.</summary>
    [Parameter(Position = 0, ParameterSetName = NameSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <summary>Connection objects (Connect-VoxCluster output).</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputObjectSet)]
    [ValidateNotNull]
    public VoxClusterConnection[]? InputObject { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        foreach (var connection in SelectConnections(Name, InputObject, allWhenUnnamed: false))
        {
            var running = ClusterConnections.Running(connection);
            if (running.Count > 0)
            {
                WriteWarning($"{running.Count} execution(s) submitted through '{connection.Name}' go on on cluster '{connection.ClusterId}'; this session stops following them " +
                    $"({string.Join(", ", running.Take(5).Select(e => e.ExecutionId))}{(running.Count > 5 ? ", …" : string.Empty)}). Their results are stored in namespace '{connection.Namespace}'.");
            }

            Block(ClusterConnections.CloseAsync(connection, TimeSpan.FromSeconds(15)));
            WriteVerbose($"Disconnected from cluster '{connection.ClusterId}' ({connection.Name}).");
        }
    }
}
