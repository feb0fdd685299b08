using System.Management.Automation;
using VoxScheduler.Cmdlets.Hosting;
using VoxScheduler.Cmdlets.Output;

namespace VoxScheduler.Cmdlets.Commands;

/// <summary>Base of the cmdlets that act on the session's cluster connections, named or the default one.</summary>
public abstract class VoxClusterCmdlet : VoxCmdletBase
{
    /// <summary>Connections by name (wildcards allowed), objects from the pipeline, or the default connection when neither is given.</summary>
    internal List<VoxClusterConnection> SelectConnections(string[]? names, VoxClusterConnection[]? objects, bool allWhenUnnamed)
    {
        if (objects is { Length: > 0 }) return [.. objects];
        if (names is null || names.Length == 0)
        {
            if (allWhenUnnamed && ClusterConnections.All.Count > 0) return [.. ClusterConnections.All];
            if (ClusterConnections.Default(out var why) is { } only) return [only];
            Terminate(VoxErrors.ClusterNotConnected, ErrorCategory.ConnectionError, null, why);
        }

        var chosen = new List<VoxClusterConnection>();
        foreach (var name in names!)
        {
            var pattern = WildcardPattern.Get(name, WildcardOptions.IgnoreCase);
            var found = ClusterConnections.All.Where(c => pattern.IsMatch(c.Name)).ToList();
            if (found.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(name))
            {
                Error(VoxErrors.ClusterNotConnected, ErrorCategory.ObjectNotFound, name,
                    $"This session has no cluster connection named '{name}' (it has: {Names()}). Connect-VoxCluster -Name {name} makes one.");
            }

            chosen.AddRange(found.Where(c => !chosen.Contains(c)));
        }

        return chosen;
    }

    private static string Names() => ClusterConnections.All.Count == 0 ? "none" : string.Join(", ", ClusterConnections.All.Select(c => c.Name));
}
